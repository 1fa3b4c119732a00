#pragma once

#include <QByteArray>
#include <QSet>
#include <QSettings>
#include <QStringList>

// What the desktop client remembers between runs, in QSettings.
class ClientSettings final
{
public:
    ClientSettings();

    QStringList recentServers() const;
    void rememberServer(const QString &server);
    QString lastNick() const;
    void setLastNick(const QString &nick);
    QStringList lastRooms(const QString &server) const;
    void setLastRooms(const QString &server, const QStringList &rooms);
    // Certificate fingerprints the user chose to trust, per host:port.
    QSet<QString> trustedFingerprints(const QString &hostAndPort) const;
    void trustFingerprint(const QString &hostAndPort, const QString &fingerprint);
    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindow(const QByteArray &geometry, const QByteArray &state);

private:
    static QString serverKey(const QString &server);
    mutable QSettings m_settings;
};
