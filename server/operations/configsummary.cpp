#include "configsummary.h"

#include "serverconfig.h"
#include "sqlstore.h"

#include <QHash>
#include <QUrl>

namespace ConfigSummary {

namespace {

// Longer values (a MOTD, say) are named, not quoted, in what changed.
constexpr int LongestShown = 60;

// The settings inEffect() always shows, from the config itself.
const QStringList &alwaysShown()
{
    static const QStringList names{QStringLiteral("bind"),           QStringLiteral("tls-cert"),
                                   QStringLiteral("tls-key"),        QStringLiteral("operators"),
                                   QStringLiteral("require-account"), QStringLiteral("password"),
                                   QStringLiteral("proxy-protocol"), QStringLiteral("metrics-allow"),
                                   QStringLiteral("status-allow"),   QStringLiteral("discovery-port")};
    return names;
}

QString subnets(const QList<QPair<QHostAddress, int>> &list)
{
    if (list.isEmpty())
        return QStringLiteral("none");
    QStringList parts;
    for (const auto &[address, prefix] : list)
        parts << QStringLiteral("%1/%2").arg(address.toString()).arg(prefix);
    return parts.join(u',');
}

QString bindShown(const QHostAddress &bind)
{
    if (bind == QHostAddress::Any || bind == QHostAddress::AnyIPv4 || bind == QHostAddress::AnyIPv6)
        return QStringLiteral("every address");
    return bind.toString();
}

} // namespace

QString shown(const QString &name, const QString &value)
{
    if (name == QLatin1String("password"))
        return value.isEmpty() ? QStringLiteral("(none)") : QStringLiteral("(hidden)");
    if (name == QLatin1String("db") && SqlStore::isDatabaseUrl(value))
        return QUrl(value).toDisplayString(QUrl::RemovePassword);
    if (name == QLatin1String("motd") || name == QLatin1String("name"))
        return QLatin1Char('"') + value + QLatin1Char('"');
    return value;
}

QString inEffect(const ServerConfig &config)
{
    QStringList parts;
    parts << QStringLiteral("bind=%1").arg(bindShown(config.bind));
    parts << (config.tlsCertificate.isEmpty()
                      ? QStringLiteral("tls=off")
                      : QStringLiteral("tls=on (tls-cert=%1, tls-key=%2)").arg(config.tlsCertificate, config.tlsKey));
    parts << QStringLiteral("operators=%1")
                     .arg(config.operators.isEmpty() ? QStringLiteral("none") : config.operators.join(u','));
    parts << QStringLiteral("require-account=%1").arg(config.requireAccount ? QStringLiteral("true") : QStringLiteral("false"));
    parts << QStringLiteral("password=%1").arg(shown(QStringLiteral("password"), config.password));
    parts << QStringLiteral("proxy-protocol=%1").arg(subnets(config.proxyProtocol));
    parts << QStringLiteral("metrics-allow=%1").arg(subnets(config.metricsAllow));
    parts << QStringLiteral("status-allow=%1").arg(subnets(config.statusAllow));
    parts << (config.discoveryPort == 0 ? QStringLiteral("discovery=off")
                                        : QStringLiteral("discovery=on (UDP port %1)").arg(config.discoveryPort));
    for (const auto &[name, value] : config.given) {
        if (!alwaysShown().contains(name))
            parts << QStringLiteral("%1=%2").arg(name, shown(name, value));
    }
    return QStringLiteral("settings in effect: %1 (anything not named is at its default)").arg(parts.join(QLatin1String(", ")));
}

QStringList changes(const ServerConfig &before, const ServerConfig &after)
{
    QHash<QString, QString> old;
    for (const auto &[name, value] : before.given)
        old.insert(name, value);
    QHash<QString, QString> now;
    QStringList order;
    for (const auto &[name, value] : after.given) {
        now.insert(name, value);
        order << name;
    }
    for (const auto &[name, value] : before.given) {
        if (!now.contains(name))
            order << name;
    }

    QStringList changed;
    for (const QString &name : std::as_const(order)) {
        const bool wasGiven = old.contains(name);
        const bool isGiven = now.contains(name);
        const QString was = old.value(name);
        const QString is = now.value(name);
        if (wasGiven == isGiven && was == is)
            continue;
        const QString from = wasGiven ? shown(name, was) : QStringLiteral("(default)");
        const QString to = isGiven ? shown(name, is) : QStringLiteral("(default)");
        if (name == QLatin1String("password") || from.size() > LongestShown || to.size() > LongestShown)
            changed << QStringLiteral("%1 (changed)").arg(name);
        else
            changed << QStringLiteral("%1: %2 → %3").arg(name, from, to);
    }
    return changed;
}

} // namespace ConfigSummary
