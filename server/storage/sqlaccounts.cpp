// SqlStore: accounts, room roles, the audit log, bans, mutes and modes;
// each written at once, in a transaction of its own.

#include "sqlstore.h"
#include "sqlhelpers.h"

#include "logging.h"

#include <QVariant>

#include <mutex>

using namespace SqlHelpers;

bool SqlStore::loadAccountKeys(QString *error)
{
    {
        const std::lock_guard lock(m_accountKeysMutex);
        m_readingAccountKeys = true;
        m_notedWhileReading.clear();
    }
    QSqlQuery query(here().db);
    const bool read = query.exec(QStringLiteral("SELECT key FROM accounts"));
    QSet<QString> keys;
    while (read && query.next())
        keys.insert(query.value(0).toString());
    const std::lock_guard lock(m_accountKeysMutex);
    m_readingAccountKeys = false;
    if (!read) {
        *error = sqlError(query.lastError());
        return false;
    }
    // A registration that committed after the read began is not lost.
    keys.unite(m_notedWhileReading);
    m_accountKeys = std::move(keys);
    return true;
}

std::optional<qint64> SqlStore::accountChanges()
{
    if (!readable())
        return std::nullopt;
    QSqlQuery query(here().db);
    if (!query.exec(QStringLiteral("SELECT generation FROM account_changes")) || !query.next())
        return std::nullopt;
    return query.value(0).toLongLong();
}

bool SqlStore::reloadAccounts()
{
    QString error;
    if (!readable() || !loadAccountKeys(&error)) {
        qCWarning(lcStore) << "cannot read the accounts again:" << error;
        return false;
    }
    return true;
}

std::optional<AccountStore::Account> SqlStore::loadAccount(const QString &key)
{
    if (!readable())
        return {};
    Link &link = here();
    QSqlQuery query(link.db);
    query.prepare(QStringLiteral("SELECT name, password_hash, created FROM accounts WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read account:" << sqlError(query.lastError());
        link.lost = losesConnections();
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return Account{query.value(0).toString(), query.value(1).toByteArray(), query.value(2).toLongLong()};
}

bool SqlStore::createAccount(const QString &key, const Account &account, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO accounts (key, name, password_hash, created) VALUES (?, ?, ?, ?)"));
    query.addBindValue(key);
    query.addBindValue(account.name);
    query.addBindValue(QString::fromLatin1(account.passwordHash));
    query.addBindValue(account.createdMs);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    noteAccount(key);
    return true;
}

bool SqlStore::setPasswordHash(const QString &key, const QByteArray &passwordHash, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("UPDATE accounts SET password_hash = ? WHERE key = ?"));
    query.addBindValue(QString::fromLatin1(passwordHash));
    query.addBindValue(key);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    if (query.numRowsAffected() != 1) {
        *error = QStringLiteral("no such account");
        return false;
    }
    return true;
}

QHash<QString, Rank> SqlStore::loadRoles(const QString &roomKey)
{
    QHash<QString, Rank> roles;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT account_key, role FROM room_roles WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read roles:" << sqlError(query.lastError());
        return roles;
    }
    while (query.next())
        roles.insert(query.value(0).toString(),
                     query.value(1).toString() == QLatin1String("owner") ? Rank::Owner : Rank::Op);
    return roles;
}

bool SqlStore::setRole(const QString &roomKey, const QString &accountKey, Rank rank, QString *error)
{
    QSqlQuery query(here().db);
    if (rank == Rank::Member) {
        query.prepare(QStringLiteral("DELETE FROM room_roles WHERE room_key = ? AND account_key = ?"));
        query.addBindValue(notNull(roomKey));
        query.addBindValue(accountKey);
    } else {
        query.prepare(QStringLiteral("INSERT INTO room_roles (room_key, account_key, role) VALUES (?, ?, ?) "
                                     "ON CONFLICT (room_key, account_key) DO UPDATE SET role = excluded.role"));
        query.addBindValue(notNull(roomKey));
        query.addBindValue(accountKey);
        query.addBindValue(rank == Rank::Op ? QStringLiteral("op") : QStringLiteral("owner"));
    }
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::appendAudit(const QString &roomKey, const AuditRecord &record, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral(
            "INSERT INTO audit (ts, actor, action, room_key, room, target, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(record.ts);
    query.addBindValue(record.actor);
    query.addBindValue(record.action);
    query.addBindValue(notNull(roomKey));
    query.addBindValue(record.room ? QVariant(*record.room) : QVariant(QMetaType::fromType<QString>()));
    query.addBindValue(record.target ? QVariant(*record.target) : QVariant(QMetaType::fromType<QString>()));
    // A null QString binds as SQL NULL; the reason is '' when there is none.
    query.addBindValue(record.reason.isNull() ? QStringLiteral("") : record.reason);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

QList<ModerationStore::AuditRecord> SqlStore::audit(const std::optional<QString> &roomKey,
                                                        std::optional<qint64> beforeTs, int limit)
{
    QString sql = QStringLiteral("SELECT ts, actor, action, room, target, reason FROM audit WHERE 1 = 1");
    if (roomKey)
        sql += QStringLiteral(" AND room_key = ?");
    if (beforeTs)
        sql += QStringLiteral(" AND ts < ?");
    sql += QStringLiteral(" ORDER BY ts DESC, id DESC LIMIT ?");
    QSqlQuery query(here().db);
    query.setForwardOnly(true);
    query.prepare(sql);
    if (roomKey)
        query.addBindValue(notNull(*roomKey));
    if (beforeTs)
        query.addBindValue(*beforeTs);
    query.addBindValue(limit);
    QList<AuditRecord> records;
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read the audit log:" << sqlError(query.lastError());
        return records;
    }
    auto text = [&](int column) {
        return query.value(column).isNull() ? std::nullopt : std::optional<QString>(query.value(column).toString());
    };
    while (query.next()) {
        records.append(AuditRecord{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                                   text(3), text(4), query.value(5).toString()});
    }
    std::reverse(records.begin(), records.end());
    return records;
}

ModerationStore::ClaimOutcome SqlStore::claimRoom(const QString &roomKey, const QString &accountKey, QString *error)
{
    if (!readable()) {
        *error = QStringLiteral("the database cannot be reached");
        return ClaimOutcome::Failed;
    }
    QSqlQuery claim(here().db);
    claim.prepare(QStringLiteral(
            "INSERT INTO room_roles (room_key, account_key, role) SELECT ?, ?, 'owner' "
            "WHERE NOT EXISTS (SELECT 1 FROM room_roles WHERE room_key = ? AND role = 'owner') "
            "ON CONFLICT (room_key, account_key) DO UPDATE SET role = excluded.role"));
    claim.addBindValue(notNull(roomKey));
    claim.addBindValue(accountKey);
    claim.addBindValue(notNull(roomKey));
    if (claim.exec())
        return claim.numRowsAffected() > 0 ? ClaimOutcome::Claimed : ClaimOutcome::AlreadyOwned;
    // Two at the same moment both found no owner; the index let one in.
    *error = sqlError(claim.lastError());
    QSqlQuery owner(here().db);
    owner.prepare(QStringLiteral("SELECT 1 FROM room_roles WHERE room_key = ? AND role = 'owner'"));
    owner.addBindValue(notNull(roomKey));
    return owner.exec() && owner.next() ? ClaimOutcome::AlreadyOwned : ClaimOutcome::Failed;
}

QList<ModerationStore::BanRecord> SqlStore::loadBans(const QString &roomKey)
{
    QList<BanRecord> bans;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT mask, actor, reason, until FROM room_bans WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read bans:" << sqlError(query.lastError());
        return bans;
    }
    while (query.next()) {
        bans.append(BanRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                              query.value(3).isNull() ? std::nullopt
                                                      : std::optional<qint64>(query.value(3).toLongLong())});
    }
    return bans;
}

bool SqlStore::putBan(const QString &roomKey, const QString &maskKey, const BanRecord &ban, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO room_bans (room_key, mask_key, mask, actor, reason, until) "
                                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room_key, mask_key) DO UPDATE SET "
                                 "mask = excluded.mask, actor = excluded.actor, reason = excluded.reason, "
                                 "until = excluded.until"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(maskKey);
    query.addBindValue(ban.mask);
    query.addBindValue(ban.actor);
    query.addBindValue(ban.reason.isNull() ? QStringLiteral("") : ban.reason);
    query.addBindValue(ban.untilMs ? QVariant(*ban.untilMs) : QVariant(QMetaType::fromType<qlonglong>()));
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::removeBan(const QString &roomKey, const QString &maskKey, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("DELETE FROM room_bans WHERE room_key = ? AND mask_key = ?"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(maskKey);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

QList<ModerationStore::MuteRecord> SqlStore::loadMutes(const QString &roomKey)
{
    QList<MuteRecord> mutes;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT target, actor, reason, until FROM room_mutes WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read mutes:" << sqlError(query.lastError());
        return mutes;
    }
    while (query.next()) {
        mutes.append(MuteRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                                query.value(3).isNull() ? std::nullopt
                                                        : std::optional<qint64>(query.value(3).toLongLong())});
    }
    return mutes;
}

bool SqlStore::putMute(const QString &roomKey, const MuteRecord &mute, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral(
            "INSERT INTO room_mutes (room_key, target, actor, reason, until) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (room_key, target) DO UPDATE SET actor = excluded.actor, reason = excluded.reason, "
            "until = excluded.until"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(mute.target);
    query.addBindValue(mute.actor);
    query.addBindValue(mute.reason.isNull() ? QStringLiteral("") : mute.reason);
    query.addBindValue(mute.untilMs ? QVariant(*mute.untilMs) : QVariant(QMetaType::fromType<qlonglong>()));
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::removeMute(const QString &roomKey, const QString &target, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("DELETE FROM room_mutes WHERE room_key = ? AND target = ?"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(target);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

ModerationStore::Modes SqlStore::loadModes(const QString &roomKey)
{
    Modes modes;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT invite_only, join_key, topic_locked FROM room_modes WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read room modes:" << sqlError(query.lastError());
        return modes;
    }
    if (query.next())
        modes = Modes{query.value(0).toBool(), query.value(1).toString(), query.value(2).toBool()};
    return modes;
}

bool SqlStore::saveModes(const QString &roomKey, const Modes &modes, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO room_modes (room_key, invite_only, join_key, topic_locked) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT (room_key) DO UPDATE SET "
                                 "invite_only = excluded.invite_only, join_key = excluded.join_key, "
                                 "topic_locked = excluded.topic_locked"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(modes.inviteOnly ? 1 : 0);
    query.addBindValue(modes.key.isNull() ? QStringLiteral("") : modes.key);
    query.addBindValue(modes.topicLocked ? 1 : 0);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}
