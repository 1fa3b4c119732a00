#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>

// Counts connections across every listener: the admitted ones, in total and
// per address (limits of 0 mean none), and every open client socket, admitted
// or being turned away, against a ceiling kept below the process's file
// descriptor limit. At that ceiling the listeners stop accepting until a
// socket closes: a server out of descriptors cannot even say "server full".
class ConnectionLimiter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionLimiter)

public:
    ConnectionLimiter(int maxTotal, int maxPerAddress, int socketCeiling, QObject *parent = nullptr);

    // Counts a new socket. Returns whether it may become a connection; if
    // not, the caller turns it away. Either way, the count ends when the
    // socket object is destroyed.
    bool admit(QObject *socket, const QHostAddress &address);
    // Counts a socket against the ceiling only: a trusted proxy's socket
    // before its header says whose it is. Counting those against the
    // proxy's own address would refuse a client that shares it whenever
    // health checks are under way.
    void countOpen(QObject *socket);
    // The count of `from` now ends when `to` is destroyed: for a connection
    // that outlives the socket object it started on.
    void handOver(QObject *from, QObject *to);
    // The count of `socket` ends now, before the object is destroyed.
    void release(QObject *socket) { socketClosed(socket); }

    // New limits apply to sockets from now on; nobody is put out.
    void setLimits(int maxTotal, int maxPerAddress)
    {
        m_maxTotal = maxTotal;
        m_maxPerAddress = maxPerAddress;
    }
    bool atSocketCeiling() const { return m_openSockets >= m_socketCeiling; }

    // One spelling per address: an IPv4 client on a dual-stack socket
    // (::ffff:a.b.c.d) counts as a.b.c.d.
    static QString addressKey(const QHostAddress &address);

signals:
    // Below the socket ceiling again.
    void socketsAvailable();

private:
    struct Counted
    {
        QString addressKey;
        bool admitted;
        QMetaObject::Connection watch;
    };

    void watch(QObject *object, Counted counted);
    void socketClosed(QObject *object);

    int m_maxTotal;
    int m_maxPerAddress;
    const int m_socketCeiling;
    int m_admitted = 0;
    int m_openSockets = 0;
    QHash<QString, int> m_perAddress;
    QHash<QObject *, Counted> m_counted;
};
