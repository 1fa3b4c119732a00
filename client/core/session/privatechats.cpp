// Private conversations: whispers, their pages, opening one (protocol section
// 19): the unit (privatechats.h), then ChatSession's part.

#include "privatechats.h"
#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

LogEntry PrivateChats::privateEntry(const PrivateMessage &message, const QString &me)
{
    LogEntry entry;
    entry.from = message.from;
    entry.text = message.text;
    entry.ts = message.ts;
    entry.seq = message.seq.value_or(0);
    entry.own = nameKey(message.from) == nameKey(me);
    entry.action = message.action.value_or(false);
    return entry;
}

QList<LogEntry> PrivateChats::olderThanShown(Conversation *conversation, const QList<PrivateMessage> &messages,
                                             const QString &me)
{
    const qint64 firstSeq = conversation->log()->firstSeq();
    const qint64 firstShown = firstSeq > 0 ? firstSeq : std::numeric_limits<qint64>::max();
    QList<LogEntry> older;
    for (const PrivateMessage &message : messages) {
        if (message.seq.value_or(0) > 0 && message.seq.value_or(0) < firstShown)
            older.append(privateEntry(message, me));
        conversation->sync().take(message.seq.value_or(0));
    }
    return older;
}

// ------------------------------------------------------------ the session's side

void ChatSession::onPrivate(const PrivateMessage &message)
{
    const bool own = nameKey(message.from) == nameKey(m_nick);
    const QString peer = own ? message.to : message.from;
    Conversation *conversation = openPrivateChat(peer);
    if (!conversation->sync().take(message.seq.value_or(0)))
        return; // shown already (caught up, or in the history shown when it opened)
    conversation->setTyping(message.from, false);
    addEntry(conversation, PrivateChats::privateEntry(message, m_nick));
    if (message.waiting.value_or(false))
        addEvent(conversation, LogEntry::Event::Waiting, message.to);
    if (!own)
        emit attentionNeeded(conversation, message.from, message.text);
}

void ChatSession::onPrivatePage(const PrivatePage &page, const Pending &pending)
{
    Conversation *conversation = pending.conversation;
    if (!conversation)
        return;
    if (pending.purpose == Pending::Purpose::CatchUp) {
        for (const PrivateMessage &message : page.messages)
            onPrivate(message);
        if (page.messages.size() >= CatchUpPage || page.more.value_or(false))
            send(GetPrivateHistory{conversation->name(), std::nullopt, conversation->lastSeq(), CatchUpPage},
                 Pending::Purpose::CatchUp, conversation);
        return;
    }
    // The history above what is shown: only what is older than all of it.
    const QList<LogEntry> older = PrivateChats::olderThanShown(conversation, page.messages, m_nick);
    conversation->rowsPrepended(int(older.size()));
    conversation->log()->prepend(older);
    if (page.read)
        applyReadMarker(conversation, *page.read);
}

Conversation *ChatSession::openPrivateChat(const QString &nick)
{
    const bool isNew = !find(Conversation::Type::Private, nick);
    Conversation *conversation = open(Conversation::Type::Private, nick);
    // What was said before shows above (section 19).
    if (isNew && m_supervisor.isWelcomed())
        send(GetPrivateHistory{nick, std::nullopt, std::nullopt, ScrollBackPage}, Pending::Purpose::Older,
             conversation);
    return conversation;
}

void ChatSession::whisper(const QString &nick, const QString &text)
{
    sendText(openPrivateChat(nick), text);
}

void ChatSession::whisperFrom(Conversation *origin, const QString &nick, const QString &text)
{
    if (privateChat(nick) || !m_supervisor.isWelcomed()) {
        whisper(nick, text);
        return;
    }
    Conversation *chat = openPrivateChat(nick);
    emit focusRequested(chat);
    send(Whisper{chat->name(), text, std::nullopt}, Pending::Purpose::FirstWhisper, chat, origin);
}
