#include "clientsettings.h"

using namespace Qt::StringLiterals;

namespace {

constexpr int MaxRecentServers = 10;

} // namespace

ClientSettings::ClientSettings() = default;

QString ClientSettings::serverKey(const QString &server)
{
    // QSettings keys must not contain '/' or '\'.
    return QString::fromLatin1(server.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

QStringList ClientSettings::recentServers() const
{
    return m_settings.value(u"servers/recent"_s).toStringList();
}

void ClientSettings::rememberServer(const QString &server)
{
    QStringList servers = recentServers();
    servers.removeAll(server);
    servers.prepend(server);
    while (servers.size() > MaxRecentServers)
        servers.removeLast();
    m_settings.setValue(u"servers/recent"_s, servers);
}

QString ClientSettings::lastNick() const
{
    return m_settings.value(u"identity/nick"_s).toString();
}

void ClientSettings::setLastNick(const QString &nick)
{
    m_settings.setValue(u"identity/nick"_s, nick);
}

QStringList ClientSettings::lastRooms(const QString &server) const
{
    return m_settings.value(u"rooms/"_s + serverKey(server), QStringList{u"lobby"_s}).toStringList();
}

void ClientSettings::setLastRooms(const QString &server, const QStringList &rooms)
{
    m_settings.setValue(u"rooms/"_s + serverKey(server), rooms);
}

QSet<QString> ClientSettings::trustedFingerprints(const QString &hostAndPort) const
{
    const QStringList list = m_settings.value(u"trusted/"_s + serverKey(hostAndPort)).toStringList();
    return QSet<QString>(list.begin(), list.end());
}

void ClientSettings::trustFingerprint(const QString &hostAndPort, const QString &fingerprint)
{
    QSet<QString> trusted = trustedFingerprints(hostAndPort);
    trusted.insert(fingerprint);
    m_settings.setValue(u"trusted/"_s + serverKey(hostAndPort), QStringList(trusted.begin(), trusted.end()));
}

void ClientSettings::replaceFingerprints(const QString &hostAndPort, const QString &fingerprint)
{
    m_settings.setValue(u"trusted/"_s + serverKey(hostAndPort), QStringList{fingerprint});
}

QByteArray ClientSettings::windowGeometry() const
{
    return m_settings.value(u"window/geometry"_s).toByteArray();
}

QByteArray ClientSettings::windowState() const
{
    return m_settings.value(u"window/state"_s).toByteArray();
}

void ClientSettings::setWindow(const QByteArray &geometry, const QByteArray &state)
{
    m_settings.setValue(u"window/geometry"_s, geometry);
    m_settings.setValue(u"window/state"_s, state);
}

QString ClientSettings::account(const QString &server) const
{
    return m_settings.value(u"accounts/%1/name"_s.arg(serverKey(server))).toString();
}

bool ClientSettings::passwordRemembered(const QString &server) const
{
    return m_settings.value(u"accounts/%1/passwordInKeyring"_s.arg(serverKey(server))).toBool();
}

void ClientSettings::setAccount(const QString &server, const QString &account, bool passwordRemembered)
{
    if (account.isEmpty()) {
        m_settings.remove(u"accounts/%1"_s.arg(serverKey(server)));
        return;
    }
    m_settings.setValue(u"accounts/%1/name"_s.arg(serverKey(server)), account);
    m_settings.setValue(u"accounts/%1/passwordInKeyring"_s.arg(serverKey(server)), passwordRemembered);
}

bool ClientSettings::notificationsEnabled() const
{
    return m_settings.value(u"notifications/enabled"_s, true).toBool();
}

void ClientSettings::setNotificationsEnabled(bool enabled)
{
    m_settings.setValue(u"notifications/enabled"_s, enabled);
}

bool ClientSettings::lookForServersOnOpen() const
{
    return m_settings.value(u"discovery/lookOnOpen"_s, false).toBool();
}

void ClientSettings::setLookForServersOnOpen(bool look)
{
    m_settings.setValue(u"discovery/lookOnOpen"_s, look);
}

int ClientSettings::autoAwayMinutes() const
{
    return qMax(0, m_settings.value(u"presence/autoAwayMinutes"_s, 10).toInt());
}

void ClientSettings::setAutoAwayMinutes(int minutes)
{
    m_settings.setValue(u"presence/autoAwayMinutes"_s, minutes);
}
