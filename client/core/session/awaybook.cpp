#include "awaybook.h"

#include "names.h"

QString AwayBook::of(const QString &nick) const
{
    return m_why.value(Confab::Protocol::nameKey(nick));
}

bool AwayBook::set(const QString &nick, const QString &why)
{
    const QString key = Confab::Protocol::nameKey(nick);
    const QString before = m_why.value(key);
    if (why.isEmpty())
        m_why.remove(key);
    else
        m_why.insert(key, why);
    return before != why;
}
