// Private conversations: whispers, their pages, opening one (protocol section
// 19): the rules, then the session's side.

#include "privatechats.h"
#include "readmarkers.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;
using Purpose = ClientSession::SessionCore::Pending::Purpose;

namespace ClientSession {

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

void PrivateChats::onPrivate(const PrivateMessage &message)
{
    const bool own = nameKey(message.from) == nameKey(m_session.nick());
    const QString peer = own ? message.to : message.from;
    Conversation *conversation = open(peer);
    if (!conversation->sync().take(message.seq.value_or(0)))
        return; // shown already (caught up, or in the history shown when it opened)
    conversation->setTyping(message.from, false);
    m_session.addEntry(conversation, privateEntry(message, m_session.nick()));
    if (message.waiting.value_or(false))
        m_session.addEvent(conversation, LogEntry::Event::Waiting, message.to);
    if (!own)
        m_session.attention(conversation, message.from, message.text);
}

void PrivateChats::catchUp(Conversation *conversation)
{
    if (conversation->type() == Conversation::Type::Private && conversation->lastSeq() > 0)
        m_session.send(GetPrivateHistory{conversation->name(), std::nullopt, conversation->lastSeq(), CatchUpPage},
                       Purpose::CatchUp, conversation);
}

void PrivateChats::onPrivatePage(const PrivatePage &page, const SessionCore::Pending &pending)
{
    Conversation *conversation = pending.conversation;
    if (!conversation)
        return;
    if (pending.purpose == Purpose::CatchUp) {
        for (const PrivateMessage &message : page.messages)
            onPrivate(message);
        if (page.messages.size() >= CatchUpPage || page.more.value_or(false))
            m_session.send(GetPrivateHistory{conversation->name(), std::nullopt, conversation->lastSeq(), CatchUpPage},
                           Purpose::CatchUp, conversation);
        return;
    }
    // The history above what is shown: only what is older than all of it.
    const QList<LogEntry> older = olderThanShown(conversation, page.messages, m_session.nick());
    conversation->rowsPrepended(int(older.size()));
    conversation->log()->prepend(older);
    if (page.read)
        m_readMarkers.apply(conversation, *page.read);
}

Conversation *PrivateChats::open(const QString &nick)
{
    const bool isNew = !m_session.privateChat(nick);
    Conversation *conversation = m_session.open(Conversation::Type::Private, nick);
    // What was said before shows above (section 19).
    if (isNew && m_session.isWelcomed())
        m_session.send(GetPrivateHistory{nick, std::nullopt, std::nullopt, ScrollBackPage}, Purpose::Older,
                       conversation);
    return conversation;
}

void PrivateChats::whisper(const QString &nick, const QString &text)
{
    m_session.sendText(open(nick), text);
}

void PrivateChats::whisperFrom(Conversation *origin, const QString &nick, const QString &text)
{
    if (m_session.privateChat(nick) || !m_session.isWelcomed()) {
        whisper(nick, text);
        return;
    }
    Conversation *chat = open(nick);
    m_session.bringToFront(chat);
    m_session.send(Whisper{chat->name(), text, std::nullopt}, Purpose::FirstWhisper, chat, origin);
}

Conversation *PrivateChats::refused(const Error &problem, const SessionCore::Pending &pending, Conversation *where)
{
    if (pending.purpose != Purpose::FirstWhisper || problem.code != ErrorCode::NoSuchUser || !where
        || where->log()->rowCount() != 0)
        return where;
    // Not a conversation with anyone: close it, and say why where /msg was typed.
    Conversation *origin = pending.origin ? pending.origin.data() : nullptr;
    m_session.closeConversation(where);
    if (origin)
        m_session.bringToFront(origin);
    return origin;
}

} // namespace ClientSession
