#pragma once

#include "chatstate.h"
#include "codec.h"
#include "messagestore.h"
#include "moderationstore.h"
#include "permissions.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class AccountStore;
class Connection;

// What a feature module (server/features/) may ask of the chat core: who is
// here, how to answer and deliver, how to hand work to the store's thread,
// and the cluster seam. ChatService is the one implementation; a feature
// holds a ChatCore& and never sees the transport, the commit machinery or
// whether there is a cluster.
class ChatCore
{
public:
    // A user on another server of the cluster, as Redis knows them.
    struct RemoteMember
    {
        QString nick;
        QString accountKey;
        std::optional<QString> away;
        QByteArray server; // where the user is (whereScript answers only)
    };
    // A room with members on other servers.
    struct RemoteRoom
    {
        QString key;
        QString name;
        int members = 0;
    };
    // A user a request names: on this server, on another one, or nowhere.
    struct Target
    {
        Session *local = nullptr;
        std::optional<RemoteMember> remote;
        bool remoteInRoom = false; // remote: a member of the room asked about
        bool found() const { return local || remote; }
        QString nick() const { return local ? local->nick : remote ? remote->nick : QString(); }
        QString accountKey() const { return local ? local->accountKey : remote ? remote->accountKey : QString(); }
        bool isIn(const Room *room) const { return local ? local->rooms.contains(room) : remoteInRoom; }
    };
    struct Delivery
    {
        QList<Session *> recipients;
        // The encoded event, as the transport frames it (no line end).
        QByteArray frame;
        // An answer to its one recipient's own request (see Connection::send()).
        bool answer = false;
        // An `updated` event, as stored: each recipient gets it with the
        // reactions as it sees them (ReactionView); `frame` is the whole
        // event, for other servers.
        std::optional<Confab::Protocol::MessageUpdated> update;
        // The requester's own copy carries its id.
        Session *requester = nullptr;
        QByteArray requesterFrame;
        // An event that exists only once stored (a message, a topic): if the
        // commit fails, nobody gets it and `author` gets storage_failed.
        Session *author = nullptr;
        bool onlyIfStored = false; // set with `author`, kept if the author leaves
        QJsonValue authorId;
        bool chatMessage = false; // counted in the metrics once stored
        // Cluster mode: what the database numbers at the commit, sent with
        // its number once known.
        enum class Numbered { No, RoomMessage, Update, Private };
        Numbered numbered = Numbered::No;
        Room *room = nullptr;
        std::optional<Confab::Protocol::ChatMessage> message; // RoomMessage, Update
        QString updatedBy;                                     // Update
        std::optional<Confab::Protocol::PrivateMessage> privateMessage;
        bool privateWaiting = false;
        // A private message's recipient on another server: its id and the
        // recipient's nick key; for an account, the conversation too (that
        // server keeps the message waiting should they have left).
        std::optional<QPair<QByteArray, QString>> remoteRecipient;
        QString remoteAccountPair;
        // Cluster mode: members of these rooms (by key) on other servers
        // get `frame` too, once it is sent here, with these fields added to
        // the notice (see onClusterMessage()).
        QStringList clusterRooms;
        QJsonObject clusterNote;
    };
    // How to take back what a stored request changed in memory, should its
    // commit fail.
    struct Undo
    {
        Room *room;
        qint64 lastSeq;
        qint64 lastRev;
        QString topic;
        QString privatePair; // with room null: a private conversation's seq
    };

    // --- who is here
    virtual MessageStore &messages() = 0;
    virtual AccountStore &accounts() = 0;
    // Milliseconds on the server's monotonic clock.
    virtual qint64 nowMs() const = 0;
    // Everyone with a nick on this server, by nick key.
    virtual const QHash<QString, Session *> &users() const = 0;
    virtual Room *joinedRoom(const Session &session, const QString &name) const = 0;
    // The mute that keeps `session` quiet in `room`, if any.
    virtual const ModerationStore::MuteRecord *muteFor(const Session &session, Room *room) = 0;
    // The session's rank in the room (its account's; a guest is a member).
    virtual Rank rankIn(const Session &session, const Room *room) const = 0;
    // The same for an account (empty: a guest), wherever it is connected.
    virtual Rank rankOf(const QString &accountKey, const Room *room) const = 0;
    virtual ModerationStore &moderation() = 0;
    // Every session whose connection is not closing, named or not.
    virtual QList<Session *> openSessions() const = 0;
    virtual bool isServerOperator(const Session &session) const = 0;
    // Whether the account (or the nick, by key) is one of the server's
    // operators, whether or not it exists yet.
    virtual bool isOperatorAccount(const QString &accountKey) const = 0;
    // Whether `connection` is still open and still the session `serial`
    // (work finished on another thread asks before it calls back).
    virtual bool isCurrent(Connection *connection, quint64 serial) const = 0;
    // Ends a session: told why, out of every room, disconnected.
    virtual void closeSession(Session &session, const QString &reason) = 0;
    // An open room, by key; null if not open here.
    virtual Room *findRoom(const QString &key) const = 0;
    // The room of that name the session is in, or null after telling it
    // it is not in that room.
    virtual Room *joinedRoomOrError(Session &session, const QString &name, const QJsonValue &id) = 0;
    // Whether a user a request names was found; if not, says no_such_user.
    virtual bool foundOrError(Session &session, const Target &target, const QString &nick, const QJsonValue &id) = 0;
    // Out of the room; the others hear user_left unless `announce` is false
    // (a kick has told them already).
    virtual void removeFromRoom(Session &session, Room *room, const QString &reason, bool announce = true) = 0;
    // A user on another server, kicked from `room`: out of its members at once.
    virtual void forgetRemoteMember(Room *room, const Target &target) = 0;
    // A moderation action in the room's audit log.
    virtual void audit(Session &actor, Room *room, const QString &action, const QString &target,
                       const QString &reason) = 0;

    // --- answers and deliveries
    template <typename T>
    void reply(Session &session, const T &message, const QJsonValue &id)
    {
        answer(session, Confab::Protocol::encode(message, id));
    }
    // An encoded answer to the session's own request.
    virtual void answer(Session &session, QByteArray frame) = 0;
    virtual void sendError(Session &session, Confab::Protocol::ErrorCode code, const QString &message,
                           const QJsonValue &id) = 0;
    static Delivery plainDelivery(QList<Session *> recipients, QByteArray frame)
    {
        Delivery delivery;
        delivery.recipients = std::move(recipients);
        delivery.frame = std::move(frame);
        return delivery;
    }
    // Sends at once, or after the commit under way where it must wait for it.
    virtual void deliver(Delivery delivery) = 0;

    // The mask, or nullopt after a bad_request saying what a mask is.
    std::optional<Mask> maskOrError(Session &session, const QString &text, const QJsonValue &id);

    // --- the commit and the store's thread
    // What a stored request changed, committed at the end of this pass.
    virtual void scheduleCommit(Room *room) = 0;
    virtual void scheduleCommit(const Undo &undo) = 0;
    // Commits what is pending and sends what waited for it, before returning.
    virtual void commitAndDeliver() = 0;
    // Before reading the store here: what was accepted so far is committed.
    virtual void commitBeforeRead() = 0;
    // Runs `work` where the store's commits run, after the commit of what
    // this pass accepted, then `done` on the event loop.
    virtual void storeWork(std::function<void()> work, std::function<void()> done) = 0;
    // `done` for the session, if it is still the one that asked; then what
    // it sent meanwhile.
    virtual void resumeAfterOffload(Connection *connection, quint64 serial,
                                    const std::function<void(Session &)> &done) = 0;
    // Database work (`work` calls the stores) where the store's commits
    // run, while this loop serves the others; the session's next requests
    // wait for `done`. Without a commit thread, at once.
    template <typename Result>
    void offloadToStore(Session &session, std::function<Result()> work,
                        std::function<void(Session &, const Result &)> done);
    // A write the same way: `write` says why it failed; `done` gets that
    // reason, or nullopt once stored.
    void offloadWrite(Session &session, std::function<bool(QString *error)> write,
                      std::function<void(Session &, const std::optional<QString> &error)> done);

    // Runs `write` (a change of moderation) where the store's commits run,
    // the session's next requests waiting; if stored, `then` with the room
    // (`roomKey`'s, still open; null for none), else storage_failed naming
    // `what`.
    virtual void storeModeration(Session &session, const QString &roomKey, const QString &what,
                                 std::function<bool(QString *error)> write, const QJsonValue &id,
                                 std::function<void(Session &, Room *)> then) = 0;

    // --- rooms open here
    virtual QList<Room *> openRooms() const = 0;
    // How many rooms one user may be in at once.
    virtual int maxRoomsPerUser() const = 0;
    // Opens a room here: what the store holds of it (its record, latest
    // messages, roles, bans, mutes, modes), read at once, or (with a
    // commit thread) read there before `then` runs for the session.
    virtual Room *openRoom(const QString &name, const QString &key) = 0;
    virtual void openRoomThen(Session &session, const QString &name, const QString &key,
                              std::function<void(Session &)> then) = 0;
    // Forgets a room nobody here is in.
    virtual void closeRoom(Room *room) = 0;
    // What the store holds of a room; callable where the store's commits run.
    virtual void readRoom(Room &room, bool withRecent) const = 0;
    // The seq of a new room message: in a cluster the database gives it at
    // the commit (0 until then).
    virtual qint64 nextRoomSeq(Room *room) = 0;
    // Sends a new room message once stored: encoded now, or, in a cluster,
    // once the commit has numbered it, in seq order.
    virtual void deliverRoomMessage(Delivery delivery, Room *room, const Confab::Protocol::ChatMessage &message,
                                    const QJsonValue &id) = 0;

    // --- the cluster seam: called the same way with or without a cluster
    // Finds `nick` here or on another server (and whether it is in the room
    // `roomKey`, if given); the session's requests wait for `then`.
    virtual void findUser(Session &session, const QString &nick, const QString &roomKey,
                          std::function<void(Session &, const Target &)> then) = 0;
    // A notice for every server (`note`: what it is about) or, with a
    // `server`, for that one.
    virtual void publishNote(QJsonObject note, const QByteArray &frame, const QByteArray &server = {}) = 0;
    // Members of these rooms on other servers get `frame` too.
    virtual void shareWithCluster(const QStringList &roomKeys, const QByteArray &frame,
                                  const QJsonObject &note = {}) = 0;
    virtual void announceUser(const Session &session) = 0;
    // The session joined or left `room`: other servers list it there.
    virtual void announceMembership(const Session &session, Room *room, bool member) = 0;
    // The members of room `roomKey` (nullopt: of the server) on other servers.
    virtual void membersElsewhere(Session &session, const std::optional<QString> &roomKey,
                                  std::function<void(Session &, const QList<RemoteMember> &)> then) = 0;
    // The rooms with members on other servers.
    virtual void roomsElsewhere(Session &session, std::function<void(Session &, const QList<RemoteRoom> &)> then) = 0;
    // A new account: other servers reserve its nick too.
    virtual void shareAccount(const QString &accountKey) = 0;
    // Runs `then` once every server can see what this one told Redis.
    virtual void whenClusterHasIt(Session &session, std::function<void(Session &)> then) = 0;
    // In a cluster, a change or a private message is numbered by the commit
    // and then sent; these say so on its delivery.
    virtual void numberAtCommit(Delivery &delivery, Room *room, const Confab::Protocol::ChatMessage &message,
                                const QString &updatedBy) = 0;
    virtual void numberAtCommit(Delivery &delivery, const Confab::Protocol::PrivateMessage &message, bool waiting,
                                const std::optional<RemoteMember> &remote, const QString &pair) = 0;

    // The keys of the rooms the session is in.
    static QStringList roomKeys(const Session &session);
    // Everyone who shares at least one room with `session`, once each.
    static QList<Session *> roomPeers(const Session &session);

protected:
    ChatCore() = default;
    ~ChatCore() = default;
    ChatCore(const ChatCore &) = delete;
    ChatCore &operator=(const ChatCore &) = delete;
};

template <typename Result>
void ChatCore::offloadToStore(Session &session, std::function<Result()> work,
                              std::function<void(Session &, const Result &)> done)
{
    if (!messages().commitsInBackground()) {
        done(session, work());
        return;
    }
    session.busy = true;
    auto result = std::make_shared<Result>();
    storeWork([result, work = std::move(work)] { *result = work(); },
              [this, connection = session.connection, serial = session.serial, result, done = std::move(done)] {
                  resumeAfterOffload(connection, serial, [&](Session &later) { done(later, *result); });
              });
}
