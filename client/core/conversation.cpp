#include "conversation.h"

#include "names.h"

#include <QDateTime>


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

QStringList Conversation::typing() const
{
    QStringList nicks;
    for (const auto &[nick, until] : m_typing)
        nicks << nick;
    return nicks;
}

void Conversation::setTyping(const QString &nick, bool typing)
{
    const QString key = Confab::Protocol::nameKey(nick);
    const auto at = std::find_if(m_typing.begin(), m_typing.end(),
                                 [&key](const auto &entry) { return Confab::Protocol::nameKey(entry.first) == key; });
    const bool known = at != m_typing.end();
    if (typing) {
        const qint64 until = QDateTime::currentMSecsSinceEpoch() + TypingLastsMs;
        if (known)
            at->second = until;
        else
            m_typing.append({nick, until});
    } else if (known) {
        m_typing.erase(at);
    }
    if (known != typing)
        emit typingChanged();
    if (!m_typing.isEmpty() && !m_typingExpiry.isActive()) {
        m_typingExpiry.setSingleShot(true);
        connect(&m_typingExpiry, &QTimer::timeout, this, &Conversation::expireTyping, Qt::UniqueConnection);
        m_typingExpiry.start(500);
    }
}

void Conversation::expireTyping()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto stale = std::remove_if(m_typing.begin(), m_typing.end(),
                                      [now](const auto &entry) { return entry.second <= now; });
    const bool changed = stale != m_typing.end();
    m_typing.erase(stale, m_typing.end());
    if (changed)
        emit typingChanged();
    if (!m_typing.isEmpty())
        m_typingExpiry.start(500);
}
