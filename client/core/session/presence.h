#pragma once

#include "awaybook.h"
#include "messages.h"
#include "sessioncore.h"
#include "typingsender.h"

#include <QObject>

namespace ClientSession {

// Away and typing (protocol sections 16 and 17): the user's own away
// message (said again after a reconnect, since the server forgets it with
// the connection), who else is away and why (an AwayBook), who is typing
// where, and when the user's own typing is worth a notice (a TypingSender).
// The browser's twin is presence.js.
class Presence final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Presence)

public:
    explicit Presence(SessionCore &session);

    // Away with a message, or back (an empty one).
    void setAway(const QString &message);
    // The user's own ("" when here).
    QString awayMessage() const { return m_awayMessage; }
    // What another user said when going away ("" when here, or not known).
    QString awayMessageOf(const QString &nick) const { return m_awayBook.of(nick); }
    // The user is typing in `conversation` (or stopped: cleared the line).
    void noteTyping(Conversation *conversation, bool typing);
    // A message sent there ends "typing" by itself; so does closing it.
    void typingEnded(const Conversation *conversation) { m_typingSender.sent(conversation); }

    // Welcomed again after a drop: still away if the user was.
    void welcomedAgain();
    // A room joined, with the away messages of its members.
    void onJoined(Conversation *room, const Confab::Protocol::StringMap &away);
    void onAwayChanged(const Confab::Protocol::AwayChanged &change);
    void onTyping(const Confab::Protocol::Typing &typing);

signals:
    // See ChatSession::awayChanged().
    void awayChanged(const QString &nick, const QString &message);

private:
    SessionCore &m_session;
    QString m_awayMessage;
    AwayBook m_awayBook; // others who are away, and why
    TypingSender m_typingSender;
};

} // namespace ClientSession
