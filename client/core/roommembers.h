#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QStringList>

#include "messages.h"
#include "names.h"

// The members of a room, with their roles: owners first, then ops, then
// everyone else, each group in alphabetical order (as IRC clients list
// them). Roles are kept by nick key, so that a role survives the order in
// which `joined`, `role_changed` and `nick` arrive.
class RoomMembers final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomMembers)

public:
    enum class Rank { Member, Op, Owner };
    enum DataRole { RoleName = Qt::UserRole + 1, MutedRole, AwayRole };

    explicit RoomMembers(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    QStringList nicks() const { return m_nicks; }
    void setMembers(const QStringList &nicks, const Confab::Protocol::StringMap &roles = {});
    void add(const QString &nick);
    void remove(const QString &nick);
    void rename(const QString &oldNick, const QString &newNick);
    bool contains(const QString &nick) const;

    // "owner", "op" or "member" (anything else counts as member).
    void setRole(const QString &nick, const QString &role);
    Rank rank(const QString &nick) const;
    static QString roleName(Rank rank);
    // Muted members, as far as this client has seen (`muted` since it joined).
    void setMuted(const QString &nick, bool muted);
    bool isMuted(const QString &nick) const;
    // Away members and why (protocol section 17); an empty `why`: here.
    void setAway(const QString &nick, const QString &why);
    QString awayMessage(const QString &nick) const { return m_away.value(Confab::Protocol::nameKey(nick)); }

private:
    void sortAndReset(QStringList nicks);

    QStringList m_nicks;
    QHash<QString, Rank> m_ranks; // by nick key; members are not listed
    QHash<QString, bool> m_muted; // by nick key
    QHash<QString, QString> m_away; // by nick key: why
};
