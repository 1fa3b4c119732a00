#pragma once

#include <QHash>
#include <QString>

// Others' away messages (protocol section 17), by nick as the server
// compares nicks. The same unit as the browser's AwayBook (presence.js).
class AwayBook final
{
public:
    // Why `nick` is away; "" when here, or not known.
    QString of(const QString &nick) const;
    // Notes `why` ("" when back); whether it changed.
    bool set(const QString &nick, const QString &why);
    void clear() { m_why.clear(); }

private:
    QHash<QString, QString> m_why; // by nick key
};
