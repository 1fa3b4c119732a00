#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QUdpSocket>

#include <functional>

// Answers LAN discovery (protocol section 14): a `discover` datagram gets
// one `server` datagram back, by unicast to its sender. Nothing is ever
// sent unasked; an answer is at most 512 bytes; a source address gets at
// most one answer a second whatever its port (so the server cannot be used
// to flood someone else); anything that is not a `discover` is ignored and
// costs nothing. Runs on the event loop.
class DiscoveryResponder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiscoveryResponder)

public:
    struct Announcement
    {
        QString name;
        quint16 tcpPort = 0;
        quint16 httpPort = 0;
        bool tls = false;
        bool password = false;
        QString version;
        QString fingerprint; // SHA-256 of the certificate, hex; with TLS only
    };
    // Users and rooms right now, read for each answer.
    using Counts = std::function<std::pair<qint64, qint64>()>;

    static constexpr qsizetype MaxDatagram = 512;

    DiscoveryResponder(Announcement announcement, Counts counts, QObject *parent = nullptr);

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_socket.localPort(); }
    void setAnnouncement(Announcement announcement) { m_announcement = std::move(announcement); }

    // The answer, shortened to fit MaxDatagram (the name gives way).
    static QByteArray answer(const Announcement &announcement, qint64 users, qint64 rooms);
    static bool isDiscover(const QByteArray &datagram);

private:
    void readPending();
    bool mayAnswer(const QHostAddress &source);

    Announcement m_announcement;
    Counts m_counts;
    QUdpSocket m_socket;
    QElapsedTimer m_clock;
    QHash<QString, qint64> m_lastAnswerMs; // by source address
};
