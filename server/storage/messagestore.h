#pragma once

#include "messages.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

// Where rooms keep their history. The chat service appends messages and
// commits them in batches; nothing is sent before its batch is committed.
// What an update of a stored message is, so that where the database
// numbers at the commit (several servers change one message) it is applied
// to the row as it is then: an edit keeps the reactions stored meanwhile, a
// reaction is toggled on them (the message reaches everyone as merged,
// MessageStore::Numbers::updated).
struct MessageUpdate
{
    enum Kind { Whole, Edit, React };
    Kind kind = Whole;
    QString emoji; // React
    QString nick;  // React
};

class MessageStore
{
public:
    struct RoomRecord
    {
        QString name;   // as first created
        QString topic;
        qint64 lastSeq = 0;
        qint64 lastRev = 0; // the latest change to one of its messages (section 18)
    };

    // A message as stored, with whose it is.
    struct StoredMessage
    {
        Confab::Protocol::ChatMessage message;
        QString accountKey; // the sender's account; empty for a guest
    };

    struct HistoryQuery
    {
        std::optional<qint64> before;
        std::optional<qint64> after;
        int limit = 50;
        // Instead of by seq: the messages changed after this revision, in
        // the order they changed.
        std::optional<qint64> changedAfter;
    };

    virtual ~MessageStore() = default;

    // A room never seen before has no record.
    virtual std::optional<RoomRecord> loadRoom(const QString &key) = 0;
    // Messages are stored under the room's key; their `room` field is the
    // room's name when read back. accountKey: the sender's, or empty.
    virtual void appendMessage(const QString &roomKey, const QString &roomName,
                               const Confab::Protocol::ChatMessage &message, const QString &accountKey) = 0;
    // Replaces what a stored message says (text, edited, deleted, reactions,
    // rev), in the next commit.
    // `change`: what the update is (see MessageUpdate).
    using Change = MessageUpdate;
    virtual void updateMessage(const QString &roomKey, const Confab::Protocol::ChatMessage &message,
                               const Change &change = {}) = 0;
    // One committed message; nullopt if there is none with that seq.
    virtual std::optional<StoredMessage> message(const QString &roomKey, const QString &roomName, qint64 seq) = 0;
    virtual void saveTopic(const QString &roomKey, const QString &roomName, const QString &topic) = 0;

    // Whether commit() numbers what it stores itself (several servers on one
    // database): the seq and rev given to appendMessage(), updateMessage()
    // and appendPrivate() are then replaced by the database's, and
    // committedNumbers() tells them, in the order they were appended.
    virtual bool numbersAtCommit() const { return false; }
    struct Numbers
    {
        QList<qint64> messageSeqs;
        QList<qint64> updateRevs;
        QList<Confab::Protocol::ChatMessage> updated; // each update as stored (PostgreSQL)
        QList<qint64> privateSeqs;
    };
    virtual Numbers committedNumbers() const { return {}; }

    // The highest seq stored in each room (in a cluster: by any server),
    // for finding what notices were lost.
    virtual QHash<QString, qint64> lastSeqs(const QList<QString> &roomKeys) = 0;

    virtual bool hasPending() const = 0;
    // Makes everything appended so far durable, in one transaction.
    virtual bool commit(QString *error) = 0;
    // Whether commits can run off the caller's thread (PostgreSQL): then
    // startCommit() takes what is pending and commits it there, and `done`
    // runs on `context`'s thread once it has ended (or in finishCommit(),
    // which waits for it). One commit at a time.
    using CommitDone = std::function<void(bool stored, const QString &error, const Numbers &numbers)>;
    virtual bool commitsInBackground() const { return false; }
    virtual void startCommit(QObject *context, CommitDone done)
    {
        Q_UNUSED(context);
        QString error;
        const bool stored = commit(&error);
        done(stored, error, committedNumbers());
    }
    virtual void finishCommit() {}
    // Housekeeping that may take a moment; called after a commit, once what
    // it made sendable has been sent.
    virtual void maintain() {}

    // Private conversations (section 19), by pair key (see
    // 008_private_messages.sql). The highest seq stored (0: none).
    virtual qint64 lastPrivateSeq(const QString &pair) = 0;
    // In the next commit; delivered false: it waits for `recipient` to log in.
    virtual void appendPrivate(const QString &pair, const QString &recipient,
                               const Confab::Protocol::PrivateMessage &message, bool delivered) = 0;
    // Oldest first, as history() pages; only messages from notBeforeTs on.
    virtual QList<Confab::Protocol::PrivateMessage> privateHistory(const QString &pair, const HistoryQuery &query,
                                                                   qint64 notBeforeTs) = 0;
    // What waits for `recipient`, oldest first, marked delivered at once.
    virtual QList<Confab::Protocol::PrivateMessage> takeWaiting(const QString &recipient, int limit) = 0;
    // A private message stored as delivered whose recipient left before it
    // reached them (cluster mode: it went to their server as they quit):
    // it waits for their next login after all. Written at once.
    virtual void keepWaiting(const QString &pair, qint64 seq) = 0;

    // Read markers (section 20) of an account, by conversation ("#ROOMKEY"
    // or "@IDENTITY"); written at once, outside the batches.
    virtual QHash<QString, qint64> readMarkers(const QString &accountKey) = 0;
    virtual bool setReadMarker(const QString &accountKey, const QString &conversation, qint64 seq) = 0;

    // Oldest first; see docs/protocol.md for which messages a query selects.
    virtual QList<Confab::Protocol::ChatMessage> history(const QString &roomKey, const QString &roomName,
                                                         const HistoryQuery &query) = 0;
    // Runs `work` where commits run, after the commits started so far, and
    // then `done` on `context`'s thread; without such a place (SQLite),
    // both at once. `work` may read and write through this store's and the
    // moderation and account stores' methods (each uses the connection of the thread it
    // runs on), except those that add to a batch (append*, update*,
    // saveTopic) and createAccount().
    virtual void offload(QObject *context, std::function<void()> work, std::function<void()> done)
    {
        Q_UNUSED(context);
        work();
        done();
    }
    // Returns once every read started so far has ended (its `done` may
    // still be on its way).
    virtual void waitForReads() {}
};
