#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

// Invitations not yet used (protocol section 13, invite), by room key: the
// users invited, as "account:KEY" or "nick:KEY". Not stored; an invitation
// heard from another server waits here, where its user is, even while the
// room is not open here. Joining with one uses it up.
class Invitations
{
public:
    void add(const QString &roomKey, const QString &userKey) { m_byRoom[roomKey].insert(userKey); }

    // Whether any of `userKeys` (one user's keys) is invited to the room.
    bool has(const QString &roomKey, const QStringList &userKeys) const
    {
        const auto invited = m_byRoom.constFind(roomKey);
        if (invited == m_byRoom.constEnd())
            return false;
        for (const QString &key : userKeys) {
            if (invited->contains(key))
                return true;
        }
        return false;
    }

    // The user joined: none of its keys is invited to the room any more.
    void use(const QString &roomKey, const QStringList &userKeys)
    {
        const auto invited = m_byRoom.find(roomKey);
        if (invited == m_byRoom.end())
            return;
        for (const QString &key : userKeys)
            invited->remove(key);
        if (invited->isEmpty())
            m_byRoom.erase(invited);
    }

    // Rooms with an invitation waiting.
    qsizetype roomCount() const { return m_byRoom.size(); }

private:
    QHash<QString, QSet<QString>> m_byRoom;
};
