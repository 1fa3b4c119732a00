#include "roommembers.h"

#include "names.h"

#include <algorithm>

using Confab::Protocol::nameKey;
using namespace Qt::StringLiterals;

RoomMembers::RoomMembers(QObject *parent)
    : QAbstractListModel(parent)
{
}

int RoomMembers::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nicks.size());
}

QVariant RoomMembers::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_nicks.size())
        return {};
    const QString &nick = m_nicks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return nick;
    case RoleName:
        return roleName(rank(nick));
    case MutedRole:
        return isMuted(nick);
    case AwayRole:
        return awayMessage(nick);
    case Qt::ToolTipRole:
        return awayMessage(nick).isEmpty() ? QVariant() : QVariant(u"%1 is away: %2"_s.arg(nick, awayMessage(nick)));
    default:
        return {};
    }
}

QString RoomMembers::roleName(Rank rank)
{
    switch (rank) {
    case Rank::Owner:
        return u"owner"_s;
    case Rank::Op:
        return u"op"_s;
    case Rank::Member:
        break;
    }
    return u"member"_s;
}

void RoomMembers::setMembers(const QStringList &nicks, const Confab::Protocol::StringMap &roles)
{
    m_ranks.clear();
    m_muted.clear();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it) {
        if (it.value() == "owner"_L1)
            m_ranks.insert(nameKey(it.key()), Rank::Owner);
        else if (it.value() == "op"_L1)
            m_ranks.insert(nameKey(it.key()), Rank::Op);
    }
    sortAndReset(nicks);
}

void RoomMembers::add(const QString &nick)
{
    if (contains(nick))
        return;
    QStringList nicks = m_nicks;
    nicks << nick;
    sortAndReset(nicks);
}

void RoomMembers::remove(const QString &nick)
{
    const QString key = nameKey(nick);
    QStringList nicks = m_nicks;
    nicks.removeIf([&](const QString &member) { return nameKey(member) == key; });
    m_ranks.remove(key);
    m_muted.remove(key);
    sortAndReset(nicks);
}

void RoomMembers::rename(const QString &oldNick, const QString &newNick)
{
    if (!contains(oldNick))
        return;
    const QString oldKey = nameKey(oldNick);
    const QString newKey = nameKey(newNick);
    // Roles belong to accounts, and a logged-in user keeps their account
    // under another nick; the server says so again on the next join.
    if (m_ranks.contains(oldKey))
        m_ranks.insert(newKey, m_ranks.take(oldKey));
    if (m_muted.contains(oldKey))
        m_muted.insert(newKey, m_muted.take(oldKey));
    if (m_away.contains(oldKey))
        m_away.insert(newKey, m_away.take(oldKey));
    QStringList nicks = m_nicks;
    nicks.removeIf([&](const QString &member) { return nameKey(member) == oldKey; });
    nicks << newNick;
    sortAndReset(nicks);
}

bool RoomMembers::contains(const QString &nick) const
{
    const QString key = nameKey(nick);
    return std::any_of(m_nicks.begin(), m_nicks.end(), [&](const QString &member) { return nameKey(member) == key; });
}

void RoomMembers::setRole(const QString &nick, const QString &role)
{
    const QString key = nameKey(nick);
    if (role == "owner"_L1)
        m_ranks.insert(key, Rank::Owner);
    else if (role == "op"_L1)
        m_ranks.insert(key, Rank::Op);
    else
        m_ranks.remove(key);
    sortAndReset(m_nicks);
}

RoomMembers::Rank RoomMembers::rank(const QString &nick) const
{
    return m_ranks.value(nameKey(nick), Rank::Member);
}

void RoomMembers::setMuted(const QString &nick, bool muted)
{
    if (muted)
        m_muted.insert(nameKey(nick), true);
    else
        m_muted.remove(nameKey(nick));
    const qsizetype row = m_nicks.indexOf(nick);
    if (row >= 0)
        emit dataChanged(index(int(row)), index(int(row)), {MutedRole});
}

void RoomMembers::setAway(const QString &nick, const QString &why)
{
    if (why.isEmpty())
        m_away.remove(nameKey(nick));
    else
        m_away.insert(nameKey(nick), why);
    const qsizetype row = m_nicks.indexOf(nick);
    if (row >= 0)
        emit dataChanged(index(int(row)), index(int(row)), {AwayRole, Qt::ToolTipRole});
}

bool RoomMembers::isMuted(const QString &nick) const
{
    return m_muted.value(nameKey(nick), false);
}

void RoomMembers::sortAndReset(QStringList nicks)
{
    std::sort(nicks.begin(), nicks.end(), [this](const QString &a, const QString &b) {
        const Rank rankA = rank(a);
        const Rank rankB = rank(b);
        if (rankA != rankB)
            return rankA > rankB;
        return a.compare(b, Qt::CaseInsensitive) < 0;
    });
    beginResetModel();
    m_nicks = nicks;
    endResetModel();
}
