#pragma once

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QTimer>
#include <QUdpSocket>

#include <optional>

// Confab servers on the local networks, found with the discovery question
// of protocol section 14, as a table for the connect dialog. It asks only
// when look() is called (the user asked to look): one datagram to each
// target, by default the broadcast address of every network this computer
// is on and 127.0.0.1. CONFAB_DISCOVERY_TARGETS ("host[:port],…") replaces
// those targets: the tests point it at 127.0.0.1.
class ServerFinder final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerFinder)

public:
    enum Column { Name, Address, People, Security, ColumnCount };

    struct Server
    {
        QString name;
        QHostAddress address;
        quint16 tcpPort = 0;
        quint16 httpPort = 0;
        bool tls = false;
        bool password = false;
        qint64 users = 0;
        qint64 rooms = 0;
        QString version;
        QString fingerprint;
        int round = 0; // the last look() it answered

        // What to type in the server field to reach it.
        QString connectAddress() const;
    };

    struct Target
    {
        QHostAddress address;
        quint16 port = 0;
    };

    static constexpr quint16 DefaultPort = 7702;
    // How long answers to one look() are waited for.
    static constexpr int AnswerWindowMs = 1500;

    explicit ServerFinder(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const QList<Server> &servers() const { return m_servers; }
    const Server *serverAt(int row) const;

    void setTargets(QList<Target> targets) { m_targets = std::move(targets); }
    QList<Target> targets() const { return m_targets; }
    // From CONFAB_DISCOVERY_TARGETS if set, else the networks' broadcast
    // addresses and 127.0.0.1.
    static QList<Target> defaultTargets();
    static std::optional<Target> parseTarget(const QString &text);

    // Asks every target; servers that do not answer this time are dropped
    // once the answer window closes. Ignored while a look is under way.
    void look();
    bool isLooking() const { return m_window.isActive(); }

    // One answer datagram, as a server; nothing for anything else.
    static std::optional<Server> parseAnswer(const QByteArray &datagram, const QHostAddress &from);

signals:
    void lookingChanged(bool looking);

private:
    void readAnswers();
    void windowClosed();

    QUdpSocket m_socket;
    QList<Target> m_targets;
    QList<Server> m_servers;
    QTimer m_window;
    int m_round = 0;
};
