// Away and typing (protocol sections 16 and 17).
// Part of ChatSession (chatsession.h); who is away is an AwayBook, when to
// say the user types a TypingSender.

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"


using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

void ChatSession::setAway(const QString &message)
{
    if (m_supervisor.isWelcomed())
        send(SetAway{message.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(message.trimmed())});
}

void ChatSession::onAwayChanged(const AwayChanged &change)
{
    const QString why = change.away.value_or(QString());
    if (nameKey(change.nick) == nameKey(m_nick)) {
        m_awayMessage = why;
    } else {
        const bool changed = m_awayBook.set(change.nick, why);
        // In a private chat, say it when it changes (not at every whisper).
        Conversation *chat = privateChat(change.nick);
        if (chat && changed)
            addEvent(chat, LogEntry::Event::AwayChanged, change.nick, why);
        if (chat)
            chat->setPeerAway(why);
    }
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room && conversation->hasMember(change.nick))
            conversation->members()->setAway(change.nick, why);
    }
    emit awayChanged(change.nick, why);
}

void ChatSession::onTyping(const Typing &typing)
{
    if (!typing.from)
        return;
    Conversation *conversation = typing.room ? room(*typing.room) : privateChat(*typing.from);
    if (conversation)
        conversation->setTyping(*typing.from, !typing.done.value_or(false));
}

void ChatSession::noteTyping(Conversation *conversation, bool typing)
{
    if (!conversation || !m_supervisor.isWelcomed()
        || (conversation->type() == Conversation::Type::Room && !conversation->isJoined()))
        return;
    // No id: nothing answers a typing notice.
    if (const auto notice = m_typingSender.notice(conversation, typing, now()))
        m_supervisor.transport()->send(encode(*notice));
}
