// Unread counts and read markers, and what counts as a mention (protocol
// section 20): the unit (readmarkers.h), then ChatSession's part.

#include "readmarkers.h"
#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"

#include <QRegularExpression>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

std::optional<MarkRead> ReadMarkers::readRequest(Conversation *conversation)
{
    if (!conversation || conversation->lastSeq() <= conversation->readSeq())
        return std::nullopt;
    if (conversation->type() == Conversation::Type::Room && !conversation->isJoined())
        return std::nullopt;
    const qint64 seq = conversation->lastSeq();
    conversation->setReadSeq(seq);
    const bool room = conversation->type() == Conversation::Type::Room;
    return MarkRead{room ? std::optional<QString>(conversation->name()) : std::nullopt,
                    room ? std::nullopt : std::optional<QString>(conversation->name()), seq};
}

void ReadMarkers::markerApplied(Conversation *conversation, qint64 seq, bool seen)
{
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
    if (seen) {
        unread = 0;
        mention = false;
    }
    if (unread != conversation->unread() || mention != conversation->hasMention()) {
        conversation->setUnread(unread);
        conversation->setMention(mention);
    }
}

bool ReadMarkers::mentions(const QString &nick, const QString &text)
{
    if (nick.isEmpty())
        return false;
    const QRegularExpression word(u"(^|[^\\w.-])"_s + QRegularExpression::escape(nick) + u"($|[^\\w-])"_s,
                                  QRegularExpression::CaseInsensitiveOption
                                          | QRegularExpression::UseUnicodePropertiesOption);
    return word.match(text).hasMatch();
}

// ------------------------------------------------------------ the session's side

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
    if (!m_supervisor.isWelcomed())
        return;
    // No id: the answer changes nothing here.
    if (const auto request = ReadMarkers::readRequest(conversation))
        m_supervisor.transport()->send(encode(*request));
}

void ChatSession::applyReadMarker(Conversation *conversation, qint64 seq)
{
    if (conversation)
        ReadMarkers::markerApplied(conversation, seq, conversation == m_active && m_windowActive);
}

// ------------------------------------------------------------ actions
