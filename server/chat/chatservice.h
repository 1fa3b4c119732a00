#pragma once

#include "accounts.h"
#include "accountwatch.h"
#include "moderation.h"
#include "messagechanges.h"
#include "presence.h"
#include "privatechat.h"
#include "readmarkers.h"
#include "rooms.h"
#include "serverbans.h"
#include "accountstore.h"
#include "chatcore.h"
#include "chatlimits.h"
#include "chatstate.h"
#include "codec.h"
#include "connection.h"
#include "messagestore.h"
#include "metrics.h"
#include "requestrules.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <optional>

#include <memory>
#include <unordered_map>

class AccountStore;
class ClusterBus;
class FaultInjector;
struct FaultSettings;
class ModerationStore;

// The chat itself: identities, rooms, messages, the liveness rules and the
// flood limit, for connections of any transport. Every outgoing event is
// encoded once and the same bytes go to each recipient.
//
// Ordering and durability: room messages and topics are appended to the
// store and committed together at the end of the event-loop pass. Until that
// commit, everything the service sends (to anyone) waits in order behind it,
// so no one ever sees a message that is not yet stored, and no one sees
// events out of order.
class ChatService final : public QObject, public ConnectionHandler, private ChatCore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatService)

public:
    struct Settings
    {
        QString serverName;
        QString motd;
        QString password; // empty: none
        bool requireAccount = false;
        // Accounts that count as owner in every room, by account key.
        QStringList operators;
        ChatLimits limits;
    };

    ChatService(Settings settings, MessageStore *store, AccountStore *accounts, ModerationStore *moderation,
                QObject *parent = nullptr);

    // New settings while running (SIGHUP): the motd and name for the next
    // welcome, operators and the password at once, limits for what happens
    // from now on (the request buckets' sizes for everyone). Nobody is put
    // out.
    void updateSettings(Settings settings);
    // What GET /metrics reports that is read rather than counted.
    ServerMetrics::Gauges gauges() const;
    qint64 userCount() const { return qint64(m_users.size()); }
    // For the /status page: rooms and their member counts, largest first
    // (at most `limit`), and the last protocol errors the server sent.
    QList<QPair<QString, int>> largestRooms(int limit) const;
    const QList<RecentError> &recentErrors() const { return m_recentErrors; }
    qint64 roomCount() const { return qint64(m_rooms.size()); }
    ~ChatService() override;

    void connectionOpened(Connection *connection) override;
    void frameReceived(Connection *connection, const QByteArray &frame) override;
    void frameRejected(Connection *connection, Confab::Protocol::ErrorCode code, const QString &reason) override;
    void connectionClosed(Connection *connection, const QString &reason) override;

    // Tells every client, commits what is pending and closes every
    // connection; emits drained() once all are gone.
    void shutdown(const QString &reason);

    // Whether the last commit worked; while it does not, messages and topics
    // are refused with storage_failed (see /healthz).
    struct StorageHealth
    {
        bool ok = true;
        qint64 failingSinceMs = 0; // wall clock, when ok is false
        qint64 failedCommits = 0;  // since it last worked
        QString lastError;
    };
    const StorageHealth &storageHealth() const { return m_storageHealth; }

    // Teaching mode (--fault-*): from now on, deliveries go through a fault
    // injector. Never undone while the server runs.
    void injectFaults(const FaultSettings &faults);

    // Cluster mode (docs/server.md): from now on this server shares rooms,
    // nicks and events with the other servers on `bus`, and the store (one
    // PostgreSQL for all) numbers messages. A nick is held by a lease that
    // other servers' leases must wait out; `nickLeaseMs` after a server
    // stops answering, its nicks are free.
    void joinCluster(ClusterBus *bus, int nickLeaseMs);
    bool isClustered() const { return m_cluster != nullptr; }

signals:
    void drained();

private:
    template <typename T>
    void handle(Session &session, const T &request, const QJsonValue &id);
    // Whether the rule table lets the session send this request now; if so
    // its bucket is charged, if not the session is told why.
    bool admitRequest(Session &session, const RequestRules::Rule &rule, QLatin1String type, const QJsonValue &id);
    // A warning in the log for each name in `operators` that is no account
    // yet (its nick is reserved meanwhile).
    void warnAboutOperatorsWithoutAccounts() const;
    void onHello(Session &session, const Confab::Protocol::Hello &hello, const QJsonValue &id);
    void onNick(Session &session, const Confab::Protocol::ChangeNick &change, const QJsonValue &id);
    void onQuit(Session &session, const Confab::Protocol::Quit &quit);
    // A nick freed, and when the next holder's tenure starts (section 18:
    // what a guest may edit and read back is what it said while it held it).
    void releaseNick(const QString &key);
    qint64 tenureStart(const QString &key) const;
    // A room's roles, mutes, modes and bans, from the store.
    void loadModeration(Room &room) const;
    QList<Room::Ban> loadBans(const QString &roomKey) const;
    // Sends banned and closes the connection.
    void refuseBanned(Session &session, const Room::Ban &ban, const QJsonValue &id);
    // The mute that keeps `session` quiet in `room`, if any.
    const ModerationStore::MuteRecord *muteFor(const Session &session, Room *room) override;

    Rank rankIn(const Session &session, const Room *room) const override;
    // The same for an account (empty: a guest), wherever it is connected.
    Rank rankOf(const QString &accountKey, const Room *room) const override;
    bool isServerOperator(const Session &session) const override;
    bool isOperatorAccount(const QString &accountKey) const override { return m_settings.operators.contains(accountKey); }
    bool isCurrent(Connection *connection, quint64 serial) const override;
    // Runs `write` (a change of moderation) where the store's commits run,
    // the session's next requests waiting; if stored, `then` with the room
    // (`roomKey`'s, still open; null for none), else storage_failed naming
    // `what`.
    void storeModeration(Session &session, const QString &roomKey, const QString &what,
                         std::function<bool(QString *error)> write, const QJsonValue &id,
                         std::function<void(Session &, Room *)> then) override;
    static QString userKey(const Target &target);
    void audit(Session &actor, Room *room, const QString &action, const QString &target,
               const QString &reason) override;

    // The last step of hello: the nick, once any login has worked.
    void admit(Session &session, const QString &nick, const QString &account, const QString &accountKey,
               const QJsonValue &id);
    // After admit's checks (and, in a cluster, the nick's lease): the
    // session has its nick and is welcomed.
    void enter(Session &session, const QString &nick, const QString &account, const QString &accountKey,
               const QJsonValue &id);
    void changeNick(Session &session, const Confab::Protocol::ChangeNick &change, const QJsonValue &id);
    // Whether `nickKey` is an account that `session` is not logged in to.
    bool isReservedFor(const Session &session, const QString &nickKey) const;
    void resumeAfterOffload(Connection *connection, quint64 serial,
                            const std::function<void(Session &)> &done) override;
    void storeWork(std::function<void()> work, std::function<void()> done) override;
    // A session over its share of this turn waits for the next one.
    void yieldTurn(Session &session);
    // What a session sent while it waited, in order, until it must wait again.
    void serveWaitingFrames(Session &session);
    // Runs `start` (which hands work to the store's thread) once the commit
    // of what is pending has been handed there.
    void afterAcceptedCommits(std::function<void()> start);

    void answer(Session &session, QByteArray frame) override;
    void sendError(Session &session, Confab::Protocol::ErrorCode code, const QString &message,
                   const QJsonValue &id) override;
    // A log line about what one client did, within that client's LogBudget.
    void logAbout(Session &session, const QString &line);
    void deliver(Delivery delivery) override;
    void send(const Delivery &delivery);
    // An `updated` event to each recipient as it sees the reactions (one
    // encoding per set of kinds chosen); `requester` gets its id.
    void sendUpdate(const Confab::Protocol::MessageUpdated &event, const QList<Session *> &recipients,
                    const Session *requester, const QJsonValue &requesterId);
    void sendFrame(Session *recipient, const QByteArray &frame, bool answer = false);
    void scheduleCommit(Room *room) override;
    void scheduleCommit(const Undo &undo) override;
    // Commits what is pending and sends what waited for it, before
    // returning: for requests that read the store next, or that must not
    // leave deliveries behind.
    void commitAndDeliver() override;
    // The commit at the end of an event-loop pass: on the store's own
    // thread where it has one, so the event loop serves the others while
    // the database commits (one commit at a time; what comes meanwhile goes
    // in the next).
    void commitPass();
    void startBackgroundCommit();
    // Before reading the store here: what was accepted so far is committed
    // (reads on the store's thread go through offloadToStore(), which
    // orders them after those commits without waiting).
    void commitBeforeRead() override;
    // Sends the deliveries that waited for a commit (`committing`: there
    // was something to store; `stored`: it worked).
    void deliverAfterCommit(bool committing, bool stored, const QString &error, const MessageStore::Numbers &numbers,
                            QList<Delivery> deferred, const QList<Undo> &undo);
    // Runs `say` (what a connection about to close is told) so that it is
    // sent at once.
    void lastWord(const std::function<void()> &say);
    // A session that goes: out of the deliveries that wait for a commit.
    void forgetInDeliveries(Session *session);
    void closeEmptyRooms();
    void commitFailed(const QString &error, const QList<Undo> &undo);
    void commitWorked();

    // Cluster mode (chatcluster.cpp).
    void onClusterMessage(const QByteArray &channel, const QByteArray &payload);
    // After a commit: the room messages heard meanwhile, in order.
    void heardDuringCommit();
    // Gives what the database numbered its number, then sends it (a room
    // message in seq order, after any it missed).
    void sendNumbered(Delivery &delivery, const MessageStore::Numbers &numbers, qsizetype *messages,
                      qsizetype *updates, qsizetype *privates);
    // Sends room messages in seq order: a message past a gap waits (see
    // RoomGap) until what is missing arrives or is read from the store.
    // `own`: the delivery that carries the author's copy.
    void deliverInOrder(Room *room, const Confab::Protocol::ChatMessage &message, const Delivery *own = nullptr);
    // Delivers what each room's members missed (lost notices, a Redis
    // restart), from the store, read where its commits run.
    void catchUpRooms(const QList<QString> &roomKeys, bool periodic = false);
    void shareWithCluster(const QStringList &roomKeys, const QByteArray &frame,
                          const QJsonObject &note = {}) override;
    // A notice for every server (`note`: what it is about) or, with a
    // `server`, for that one.
    void publishNote(QJsonObject note, const QByteArray &frame, const QByteArray &server = {}) override;
    // Finds `nick` here or, in a cluster, on another server (and whether it
    // is in the room `roomKey`, if given); `then` runs with the session,
    // whose requests wait meanwhile.
    void findUser(Session &session, const QString &nick, const QString &roomKey,
                  std::function<void(Session &, const Target &)> then) override;
    // The rooms with members on other servers: key, name and how many.
    static const char *roomsScript();
    static QList<RemoteRoom> remoteRooms(const std::optional<QVariant> &answer);
    // `topics`: of the rooms in `remote` that are not open here.
    void onClusterEvent(const QJsonObject &header, const QList<Room *> &rooms, const QByteArray &frame);
    // Reads the moderation of these rooms ("": the server's bans) where the
    // commits run, applies it, then `then`; cluster events heard meanwhile
    // wait until then.
    void reloadThen(const QStringList &roomKeys, std::function<void()> then);
    void shareAccount(const QString &accountKey) override;
    // Sends one stored room message to the members here and records it as
    // delivered; `own` carries the author's copy.
    void sendRoomMessage(Room *room, const Confab::Protocol::ChatMessage &message, const Delivery *own);
    // Reads from the store (where its commits run) what the room's members
    // here have not had, up to `upTo`, and sends it with what waited.
    void fillRoom(Room *room, qint64 upTo);
    // Sends the messages that waited for the room's last seq to reach them.
    void sendWaitingInOrder(Room *room);
    // Fills the rooms whose gap has waited long enough.
    void fillOldGaps();
    static QByteArray roomChannel(const QString &roomKey);
    static QByteArray leaseKey(const QString &nickKey);
    void renewLeases();
    // Cluster mode: holds the nick for the session in every server, then
    // `granted`; otherwise tells it why not.
    void claimNick(Session &session, const QString &nick, const QJsonValue &id,
                   std::function<void(Session &)> granted);
    void closeRoom(Room *room) override;
    // Who is where, in Redis, for member lists across servers: each user's
    // nick, account and away under a key that expires with the nick's
    // lease, and per room (and for everyone) a set of "server|nickkey"
    // entries, which count only while that server holds the nick's lease.
    static QByteArray presenceKey(const QString &nickKey);
    static QByteArray membersKey(const QString &roomKey);
    static QByteArray usersKey();
    static QByteArray roomsKey();
    static const char *membersScript();
    // Where a user is: KEYS lease and presence key; answers server, nick,
    // account, away, or nil.
    static const char *whereScript();
    std::optional<RemoteMember> remoteUser(const std::optional<QVariant> &answer) const;
    static QByteArray serverChannel(const QByteArray &serverId);
    QByteArray presenceEntry(const QString &nickKey) const;
    // The cluster seam: each of these is called the same way with or
    // without a cluster; without one it does nothing, or runs `then` at
    // once with nothing from elsewhere. Feature code never asks whether
    // there is a cluster.
    void announceUser(const Session &session) override;
    void announceMembership(const Session &session, Room *room, bool member) override;
    void announceMembership(const QString &nick, Room *room, bool member);
    void forgetUser(const QString &nickKey);
    // After Redis lost everything: this server's users and memberships again.
    void announceEveryone();
    // The members a membersScript answer names on other servers.
    QList<RemoteMember> remoteMembers(const std::optional<QVariant> &answer) const;
    // Sends `command` to Redis; the session's requests wait until `then`
    // has run with the answer (nullopt: none).
    void askCluster(Session &session, const QList<QByteArray> &command,
                    std::function<void(Session &, const std::optional<QVariant> &)> then);
    // Runs `then` once every server can see what this one told Redis.
    void whenClusterHasIt(Session &session, std::function<void(Session &)> then) override;
    // The members of room `roomKey` (nullopt: of the server) on other servers.
    void membersElsewhere(Session &session, const std::optional<QString> &roomKey,
                          std::function<void(Session &, const QList<RemoteMember> &)> then) override;
    // The rooms with members on other servers.
    void roomsElsewhere(Session &session, std::function<void(Session &, const QList<RemoteRoom> &)> then) override;
    // A user on another server, kicked from `room`: out of its members at once.
    void forgetRemoteMember(Room *room, const Target &target) override;
    // Hears, from now on, what other servers say in the room.
    void listenToRoom(const QString &roomKey);
    // The seq of a new room message: in a cluster the database gives it at
    // the commit (0 until then).
    qint64 nextRoomSeq(Room *room) override;
    // Sends a new room message once stored: encoded now, or, in a cluster,
    // once the commit has numbered it, in seq order.
    void deliverRoomMessage(Delivery delivery, Room *room, const Confab::Protocol::ChatMessage &message,
                            const QJsonValue &id) override;
    // In a cluster, a change or a private message is numbered by the commit
    // and then sent (sendNumbered()); these say so on its delivery.
    void numberAtCommit(Delivery &delivery, Room *room, const Confab::Protocol::ChatMessage &message,
                        const QString &updatedBy) override;
    void numberAtCommit(Delivery &delivery, const Confab::Protocol::PrivateMessage &message, bool waiting,
                        const std::optional<RemoteMember> &remote, const QString &pair) override;

    Room *findRoom(const QString &key) const override;
    Room *joinedRoom(const Session &session, const QString &name) const override;
    // The same, or null after telling the session it is not in that room.
    Room *joinedRoomOrError(Session &session, const QString &name, const QJsonValue &id) override;
    // Whether a user a request names was found; if not, says no_such_user.
    bool foundOrError(Session &session, const Target &target, const QString &nick, const QJsonValue &id) override;
    // Opens a room here: what the store holds of it (its record, latest
    // messages, roles, bans, mutes, modes), read at once, or (with a
    // commit thread) read there before `then` runs for the session.
    Room *openRoom(const QString &name, const QString &key) override;
    void openRoomThen(Session &session, const QString &name, const QString &key,
                      std::function<void(Session &)> then) override;
    // What the store holds of a room; callable where the store's commits run.
    void readRoom(Room &room, bool withRecent) const override;
    QList<Room *> openRooms() const override;
    int maxRoomsPerUser() const override { return m_settings.limits.maxRoomsPerUser; }
    Room *installRoom(std::unique_ptr<Room> room);
    // Tells the others with user_left unless `announce` is false (a kick
    // has told them already).
    void removeFromRoom(Session &session, Room *room, const QString &reason, bool announce = true) override;
    void sweepLiveness();
    void setLivenessInterval();
    void setBucketSpecs();
    void closeSession(Session &session, const QString &reason) override;
    QList<Session *> openSessions() const override;
    // The account administration changed accounts (AccountWatch).
    void accountsChanged();
    // Closes gracefully: what is queued (or held by fault injection) first.
    void hangUp(Connection *connection, const QString &reason);
    // Out of every room, nick free: what quit and a lost connection share.
    void endPresence(Session &session, const QString &reason);

    qint64 nowMs() const override { return m_clock.elapsed(); }
    MessageStore &messages() override { return *m_store; }
    AccountStore &accounts() override { return *m_accounts; }
    ModerationStore &moderation() override { return *m_moderation; }
    const QHash<QString, Session *> &users() const override { return m_users; }

    Settings m_settings;
    MessageStore *m_store;
    AccountStore *m_accounts;
    ModerationStore *m_moderation;
    QElapsedTimer m_clock;
    std::unordered_map<Connection *, std::unique_ptr<Session>> m_sessions;
    QHash<QString, Session *> m_users;              // by nick key
    std::unordered_map<QString, std::unique_ptr<Room>> m_rooms; // by room key
    QList<Delivery> m_deferred;
    QList<Undo> m_undo; // for what the pending commit holds, oldest first
    bool m_commitInFlight = false; // a commit runs on the store's thread
    // deliver() sends at once: what a commit held (deliverAfterCommit()),
    // or a last word to a connection about to close (lastWord()).
    bool m_sendingNow = false;
    QList<std::function<void()>> m_afterNextCommit; // see afterAcceptedCommits()
    // What the commit under way holds (startBackgroundCommit()).
    QList<Delivery> m_committing;
    QList<Undo> m_committingUndo;
    // Rooms left empty, closed once no waiting delivery or undo names them
    // (with a commit thread), by key.
    QSet<QString> m_emptyRooms;
    // Room messages heard from the cluster while this server's own commit
    // was under way: that commit may hold earlier seqs, so they wait for it
    // (see heardDuringCommit()).
    QList<QPair<QByteArray, QByteArray>> m_heardDuringCommit;
    bool m_reloading = false; // see reloadThen()
    QList<QPair<QByteArray, QByteArray>> m_heardDuringReload;
    // Cluster mode, per room key: room messages past a gap in what this
    // server has delivered (notices from several servers arrive in any
    // order), by seq. The missing ones usually come a moment later; if not,
    // they are read from the store.
    struct HeldMessage
    {
        Confab::Protocol::ChatMessage message;
        QByteArray frame;
        // This server's own: the author's copy, if the author is still here.
        Connection *author = nullptr;
        quint64 authorSerial = 0;
        QByteArray authorFrame;
    };
    struct RoomGap
    {
        QMap<qint64, HeldMessage> ahead;
        qint64 sinceMs = 0;  // when the gap opened
        qint64 fillTo = 0;   // what the store is known to have
        bool filling = false; // a read is under way
    };
    QHash<QString, RoomGap> m_gaps;
    QTimer m_gapTimer;
    bool m_catchingUp = false; // the rooms' last seqs are being read
    QHash<QString, qint64> m_nickReleasedMs; // by nick key; kept a second
    StorageHealth m_storageHealth;
    quint64 m_nextSerial = 0;
    qint64 m_throttlesPrunedMs = 0;
    QTimer m_commitTimer;
    QTimer m_turnTimer;
    // The request buckets' sizes as configured (requestrules.h).
    std::array<RequestRules::BucketSpec, RequestRules::BucketCount> m_bucketSpecs{};
    quint64 m_turn = 0; // see Session::turn
    QTimer m_livenessTimer;
    Accounts m_accountRequests{*this};
    AccountWatch m_accountWatch{*m_accounts, *m_store, [this] { accountsChanged(); }};
    bool m_shuttingDown = false;
    FaultInjector *m_faults = nullptr; // null unless teaching with faults
    ClusterBus *m_cluster = nullptr;   // null unless in cluster mode
    QByteArray m_serverId;             // in the cluster, for leases and to skip its own notices
    int m_nickLeaseMs = 10'000;
    QSet<QString> m_claiming; // nick keys being claimed from the cluster
    QTimer m_leaseTimer;
    QTimer m_catchUpTimer;
    MessageChanges m_messageChanges{*this};
    Presence m_presence{*this};
    PrivateChat m_privateChat{*this};
    ReadMarkers m_readMarkers{*this, m_privateChat};
    ServerBans m_serverBans{*this};
    Moderation m_roomModeration{*this};
    Rooms m_roomRequests{*this, m_roomModeration}; // join, leave, say, topic, list, who, history
    QList<RecentError> m_recentErrors;   // the last few, oldest first
};
