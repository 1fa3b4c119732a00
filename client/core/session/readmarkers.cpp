// Unread counts and read markers, and what counts as a mention (protocol
// section 20).
// Part of ChatSession (chatsession.h).

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"

#include <QRegularExpression>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

void ChatSession::setWindowActive(bool active)
{
    if (!active && m_windowActive)
        markRead(m_active); // read until the user looked away
    m_windowActive = active;
    if (active && m_active)
        setActiveConversation(m_active);
}

void ChatSession::markAllRead()
{
    for (Conversation *conversation : m_conversations.items()) {
        markRead(conversation);
        if (conversation->unread() > 0 || conversation->hasMention()) {
            conversation->setUnread(0);
            conversation->setMention(false);
        }
    }
}

int ChatSession::totalUnread() const
{
    int total = 0;
    for (const Conversation *conversation : m_conversations.items())
        total += conversation->unread();
    return total;
}

void ChatSession::markRead(Conversation *conversation)
{
    if (!conversation || !m_supervisor.isWelcomed() || conversation->lastSeq() <= conversation->readSeq())
        return;
    if (conversation->type() == Conversation::Type::Room && !conversation->isJoined())
        return;
    const qint64 seq = conversation->lastSeq();
    conversation->setReadSeq(seq);
    const bool room = conversation->type() == Conversation::Type::Room;
    // No id: the answer changes nothing here.
    m_supervisor.transport()->send(encode(MarkRead{room ? std::optional<QString>(conversation->name()) : std::nullopt,
                                      room ? std::nullopt : std::optional<QString>(conversation->name()), seq}));
}

void ChatSession::applyReadMarker(Conversation *conversation, qint64 seq)
{
    if (!conversation)
        return;
    conversation->setReadSeq(seq);
    // Unread is what came after the marker and is someone else's.
    int unread = 0;
    bool mention = false;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Message && !entry.own && entry.seq > conversation->readSeq()) {
            ++unread;
            mention = mention || entry.mention || conversation->type() == Conversation::Type::Private;
        }
    }
    if (conversation == m_active && m_windowActive) {
        unread = 0;
        mention = false;
    }
    if (unread != conversation->unread() || mention != conversation->hasMention()) {
        conversation->setUnread(unread);
        conversation->setMention(mention);
    }
}

bool ChatSession::mentionsMe(const QString &text) const
{
    if (m_nick.isEmpty())
        return false;
    // The nick as a word of its own, in any case.
    const QRegularExpression word(u"(^|[^\\w.-])"_s + QRegularExpression::escape(m_nick) + u"($|[^\\w-])"_s,
                                  QRegularExpression::CaseInsensitiveOption
                                          | QRegularExpression::UseUnicodePropertiesOption);
    return word.match(text).hasMatch();
}

// ------------------------------------------------------------ actions
