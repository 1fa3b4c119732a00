#include "conversation.h"

#include "names.h"

Conversation::Conversation(Type type, const QString &name, QObject *parent)
    : QObject(parent)
    , m_type(type)
    , m_name(name)
{
}

void Conversation::setMembers(QStringList nicks)
{
    nicks.sort(Qt::CaseInsensitive);
    m_members.setStringList(nicks);
}

void Conversation::addMember(const QString &nick)
{
    if (hasMember(nick))
        return;
    QStringList nicks = m_members.stringList();
    nicks << nick;
    setMembers(nicks);
}

void Conversation::removeMember(const QString &nick)
{
    const QString key = Confab::Protocol::nameKey(nick);
    QStringList nicks = m_members.stringList();
    nicks.removeIf([&](const QString &member) { return Confab::Protocol::nameKey(member) == key; });
    m_members.setStringList(nicks);
}

void Conversation::renameMember(const QString &oldNick, const QString &newNick)
{
    if (!hasMember(oldNick))
        return;
    removeMember(oldNick);
    addMember(newNick);
}

bool Conversation::hasMember(const QString &nick) const
{
    const QString key = Confab::Protocol::nameKey(nick);
    const QStringList nicks = m_members.stringList();
    return std::any_of(nicks.begin(), nicks.end(),
                       [&](const QString &member) { return Confab::Protocol::nameKey(member) == key; });
}
