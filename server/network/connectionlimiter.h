#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <unordered_map>

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
    ~ConnectionLimiter() override;

    // One socket's place in the counts, given back when the Count is
    // destroyed (or the limiter is gone). What a connection holds instead
    // of being watched: a signal connection and an entry per socket cost
    // more than the rest of an idle connection's transport.
    class Count final
    {
    public:
        Count() = default;
        Count(Count &&other) noexcept { *this = std::move(other); }
        Count &operator=(Count &&other) noexcept;
        Count(const Count &) = delete;
        Count &operator=(const Count &) = delete;
        ~Count() { release(); }

        bool admitted() const { return m_admitted; }
        void release();

    private:
        friend class ConnectionLimiter;
        QPointer<ConnectionLimiter> m_limiter;
        QString m_addressKey; // shares the limiter's own copy
        bool m_admitted = false;
    };

    // Counts a new socket; the Count says whether it may become a
    // connection (if not, the caller turns it away).
    [[nodiscard]] Count count(const QHostAddress &address);
    // Counts a new socket. Returns whether it may become a connection; if
    // not, the caller turns it away. Either way, the count ends when the
    // socket object is destroyed.
    bool admit(QObject *socket, const QHostAddress &address);
    // Counts a socket against the ceiling only: a trusted proxy's socket
    // before its header says whose it is. Counting those against the
    // proxy's own address would refuse a client that shares it whenever
    // health checks are under way.
    void countOpen(QObject *socket);
    // The count of `from`, for a connection that outlives the socket
    // object it started on to hold.
    [[nodiscard]] Count takeOver(QObject *from);
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
        Count count;
        QMetaObject::Connection watch;
    };

    void watch(QObject *object, Count count);
    void socketClosed(QObject *object);
    void uncount(const QString &addressKey, bool admitted);

    int m_maxTotal;
    int m_maxPerAddress;
    const int m_socketCeiling;
    int m_admitted = 0;
    int m_openSockets = 0;
    QHash<QString, int> m_perAddress;
    // Sockets that are not connections yet: watched until destroyed.
    std::unordered_map<QObject *, Counted> m_counted;
};
