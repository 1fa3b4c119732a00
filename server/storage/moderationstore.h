#pragma once

#include "permissions.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

// Where room roles and the audit log live. Like accounts, written at once,
// each change in a transaction of its own, before its answer is sent.
class ModerationStore
{
public:
    struct AuditRecord
    {
        qint64 ts = 0;
        QString actor;
        QString action;
        std::optional<QString> room;   // as shown; none for server actions
        std::optional<QString> target;
        QString reason;
    };

    struct BanRecord
    {
        QString mask; // as written
        QString actor;
        QString reason;
        std::optional<qint64> untilMs; // wall clock; none: for ever
    };

    struct MuteRecord
    {
        QString target; // "account:KEY" or "nick:KEY"
        QString actor;
        QString reason;
        std::optional<qint64> untilMs;
    };

    struct Modes
    {
        bool inviteOnly = false;
        QString key; // empty: none
        bool topicLocked = false;
    };

    virtual ~ModerationStore() = default;

    virtual QList<MuteRecord> loadMutes(const QString &roomKey) = 0;
    virtual bool putMute(const QString &roomKey, const MuteRecord &mute, QString *error) = 0;
    virtual bool removeMute(const QString &roomKey, const QString &target, QString *error) = 0;
    virtual Modes loadModes(const QString &roomKey) = 0;
    virtual bool saveModes(const QString &roomKey, const Modes &modes, QString *error) = 0;

    // A room's bans, expired ones included (the caller drops those).
    virtual QList<BanRecord> loadBans(const QString &roomKey) = 0;
    virtual bool putBan(const QString &roomKey, const QString &maskKey, const BanRecord &ban, QString *error) = 0;
    virtual bool removeBan(const QString &roomKey, const QString &maskKey, QString *error) = 0;

    // Account key -> Op or Owner, for one room.
    virtual QHash<QString, Rank> loadRoles(const QString &roomKey) = 0;
    // Rank::Member removes the account's role; not Rank::Owner (claimRoom()).
    virtual bool setRole(const QString &roomKey, const QString &accountKey, Rank rank, QString *error) = 0;
    // Makes the account the room's owner unless it has one: decided by the
    // database, so that of two claims at the same moment (on two servers of
    // a cluster) exactly one wins.
    enum class ClaimOutcome { Claimed, AlreadyOwned, Failed };
    virtual ClaimOutcome claimRoom(const QString &roomKey, const QString &accountKey, QString *error) = 0;

    // roomKey empty: an action on the whole server.
    virtual bool appendAudit(const QString &roomKey, const AuditRecord &record, QString *error) = 0;
    // The newest `limit` entries before `beforeTs` (of one room, or of
    // everything when roomKey is nullopt), oldest first.
    virtual QList<AuditRecord> audit(const std::optional<QString> &roomKey, std::optional<qint64> beforeTs,
                                     int limit) = 0;
};
