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
    // After the user accepted a changed certificate: only the new one.
    void replaceFingerprints(const QString &hostAndPort, const QString &fingerprint);
    // The account used on a server (never its password), and whether the
    // user asked for the password to be kept in the keyring.
    QString account(const QString &server) const;
    void setAccount(const QString &server, const QString &account, bool passwordRemembered);
    bool passwordRemembered(const QString &server) const;
    // Desktop notifications for mentions and private messages (on by default).
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool enabled);
    // Minutes without using the computer before the user is marked away
    // (0: never; 10 by default).
    int autoAwayMinutes() const;
    void setAutoAwayMinutes(int minutes);
    // LAN discovery each time the connect dialog opens (off by default).
    bool lookForServersOnOpen() const;
    void setLookForServersOnOpen(bool look);
    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindow(const QByteArray &geometry, const QByteArray &state);

private:
    static QString serverKey(const QString &server);
    mutable QSettings m_settings;
};
