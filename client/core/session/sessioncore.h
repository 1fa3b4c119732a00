#pragma once

#include "codec.h"
#include "conversation.h"

#include <QPointer>

namespace ClientSession {

// What a feature of the desktop session (accounts, presence, private chats,
// read markers, message changes, moderation) may ask of the session that
// owns it: who the user is and what they look at, the conversations, the
// lines the client writes into them, and the requests it sends. ChatSession
// implements it; a feature class is constructed with a SessionCore& and
// never sees the connection, the supervisor or the other features. The
// server's features stand on ChatCore the same way.
class SessionCore
{
public:
    // What a request was for, kept until its answer comes back: how the
    // answer is used and where it (or an error) is shown.
    struct Pending
    {
        // FirstWhisper: a /msg that opened its private chat; if nobody by
        // that nick is online, the chat closes and `origin` hears why.
        enum class Purpose { Plain, CatchUp, Changes, Older, Who, ShowBans, Register, ShowRooms, FirstWhisper };
        Purpose purpose = Purpose::Plain;
        QPointer<Conversation> conversation;
        QPointer<Conversation> origin;
    };

    virtual QString nick() const = 0;
    // Welcomed on the current connection: requests can be sent.
    virtual bool isWelcomed() const = 0;
    // Welcomed once, on this or an earlier connection of this visit.
    virtual bool everWelcomed() const = 0;
    // The conversation in view, and whether the user is looking at it.
    virtual Conversation *activeConversation() const = 0;
    virtual bool isSeen(const Conversation *conversation) const = 0;

    virtual QList<Conversation *> conversationList() const = 0;
    virtual Conversation *room(const QString &name) const = 0;
    virtual Conversation *privateChat(const QString &nick) const = 0;
    // The conversation of this type and name, opened (and announced) if new.
    virtual Conversation *open(Conversation::Type type, const QString &name) = 0;
    virtual void closeConversation(Conversation *conversation) = 0;
    // The window should show `conversation`.
    virtual void bringToFront(Conversation *conversation) = 0;

    // Lines in a conversation, stamped now; addEntry() counts what is new.
    virtual void addEntry(Conversation *conversation, const LogEntry &entry) = 0;
    virtual void notice(Conversation *conversation, const QString &text) = 0;
    virtual void error(Conversation *conversation, const QString &text) = 0;
    virtual void addEvent(Conversation *conversation, LogEntry::Event event, const QString &who = {},
                          const QString &detail = {}, bool own = false, const QString &target = {}, qint64 when = 0)
            = 0;
    // Someone said the user's nick, or wrote to them privately.
    virtual void attention(Conversation *conversation, const QString &from, const QString &text) = 0;
    // Says `text` in a room or a private conversation (`action`: /me).
    virtual void sendText(Conversation *conversation, const QString &text, bool action = false) = 0;
    // Welcomed; otherwise says "Not connected" in `context` (if any).
    virtual bool online(Conversation *context) = 0;

    // Sends a request with an id; its answer is routed by `purpose`, and
    // errors are shown in `conversation` (the active one when null).
    template <typename T>
    qint64 send(const T &message, Pending::Purpose purpose = Pending::Purpose::Plain,
                Conversation *conversation = nullptr, Conversation *origin = nullptr)
    {
        return sendRequest(Confab::Protocol::Message(message), Pending{purpose, conversation, origin});
    }
    // Sends a notice without an id: nothing it could be answered with
    // changes anything here (typing, read).
    template <typename T>
    void tell(const T &message)
    {
        sendNotice(Confab::Protocol::Message(message));
    }
    // Leaves the server and comes straight back as `nick`, keeping the
    // rooms to rejoin (logging in is part of hello).
    virtual void comeBackAs(const QString &nick, const QString &reason) = 0;
    // Leaves without a word and comes straight back (the server refused).
    virtual void reconnectNow() = 0;

protected:
    ~SessionCore() = default;
    virtual qint64 sendRequest(const Confab::Protocol::Message &message, const Pending &pending) = 0;
    virtual void sendNotice(const Confab::Protocol::Message &message) = 0;
};

} // namespace ClientSession
