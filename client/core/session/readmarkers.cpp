// Unread counts and read markers, and what counts as a mention (protocol
// section 20): the rules, then the session's side.

#include "readmarkers.h"

#include "conversation.h"

#include <QRegularExpression>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

namespace ClientSession {

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

void ReadMarkers::markRead(Conversation *conversation)
{
    if (!m_session.isWelcomed())
        return;
    // No id: the answer changes nothing here.
    if (const auto request = readRequest(conversation))
        m_session.tell(*request);
}

void ReadMarkers::markAllRead()
{
    for (Conversation *conversation : m_session.conversationList()) {
        markRead(conversation);
        if (conversation->unread() > 0 || conversation->hasMention()) {
            conversation->setUnread(0);
            conversation->setMention(false);
        }
    }
}

void ReadMarkers::apply(Conversation *conversation, qint64 seq)
{
    if (conversation)
        markerApplied(conversation, seq, m_session.isSeen(conversation));
}

void ReadMarkers::onReadMarker(const ReadMarker &marker)
{
    apply(marker.room ? m_session.room(*marker.room) : m_session.privateChat(marker.with.value_or(QString())),
          marker.seq);
}

} // namespace ClientSession
