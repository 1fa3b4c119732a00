#include "conversation.h"


Conversation::Conversation(Type type, const QString &name, QObject *parent)
    : QObject(parent)
    , m_type(type)
    , m_name(name)
{
}

void Conversation::setMembers(const QStringList &nicks, const Confab::Protocol::StringMap &roles)
{
    m_members.setMembers(nicks, roles);
}

void Conversation::addMember(const QString &nick)
{
    m_members.add(nick);
}

void Conversation::removeMember(const QString &nick)
{
    m_members.remove(nick);
}

void Conversation::renameMember(const QString &oldNick, const QString &newNick)
{
    m_members.rename(oldNick, newNick);
}

bool Conversation::hasMember(const QString &nick) const
{
    return m_members.contains(nick);
}

void Conversation::seen()
{
    if (m_firstUnseenRow < 0)
        return;
    m_newMessagesRow = std::exchange(m_firstUnseenRow, -1);
    emit newMessagesRowChanged(m_newMessagesRow);
}

void Conversation::rowsPrepended(int count)
{
    if (m_firstUnseenRow >= 0)
        m_firstUnseenRow += count;
    if (m_newMessagesRow >= 0)
        m_newMessagesRow += count;
}
