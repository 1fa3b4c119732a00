#pragma once

#include "chatcore.h"

#include <QHash>
#include <QList>

#include <functional>

// Edits, deletions and reactions of room messages (protocol section 18).
// Each reads the stored message it names, checks who may change it, and
// stores the change, sent as `updated` once committed. With a commit
// thread, the changes of one room's messages take turns: each reads what
// the one before stored.
class MessageChanges
{
public:
    explicit MessageChanges(ChatCore &core) : m_core(core) {}

    void onEdit(Session &session, const Confab::Protocol::EditMessage &request, const QJsonValue &id);
    void onDelete(Session &session, const Confab::Protocol::DeleteMessage &request, const QJsonValue &id);
    void onReact(Session &session, const Confab::Protocol::React &request, const QJsonValue &id);

private:
    enum class Change { Edit, Delete, React };
    // Reads the stored message a change names and, if the session may make
    // that change, runs `then` with it (`own`: the session's own, rather
    // than changed as an op); otherwise tells it why not.
    using Then = std::function<void(Session &, Room *, Confab::Protocol::ChatMessage, bool own)>;
    void changeMessage(Session &session, const QString &roomName, qint64 seq, Change change, const QJsonValue &id,
                       Then then);
    void apply(Session &session, Room *room, const std::optional<MessageStore::StoredMessage> &stored, qint64 seq,
               Change change, const QJsonValue &id, const Then &then);
    // The next change of the room's messages, if one waits for its turn.
    void next(const QString &roomKey);
    void store(Session &session, Room *room, Confab::Protocol::ChatMessage message, const QJsonValue &id,
               const MessageStore::Change &change);
    // A reaction toggled on `message`, then stored.
    void react(Session &session, Room *room, Confab::Protocol::ChatMessage message, const QString &emoji,
               const QJsonValue &id);

    ChatCore &m_core;
    // Rooms (by key) with a change of a message under way, and the changes
    // waiting for their turn.
    QHash<QString, QList<std::function<void()>>> m_changing;
};
