#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSortFilterProxyModel>
#include <QStringList>
#include <QTimer>

#include <deque>

// What the frame inspector shows: every frame that went over the wire, both
// ways, as it went (a TCP line with its '\n', a WebSocket text message),
// with when, which way, over what, and its size. Keeps the last `capacity`
// frames: a busy room cannot make it grow without bound.
//
// The connection records into it only while the inspector is open; closed,
// nothing is recorded and nothing is spent. Frames arrive in batches (the
// view is told at most every 50 ms), so a busy room does not make the view
// redraw for every frame.
class FrameLog final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameLog)

public:
    enum class Direction { Sent, Received };
    enum Column { TimeColumn, DirectionColumn, TransportColumn, SizeColumn, TypeColumn, RoomColumn, FrameColumn,
                  ColumnCount };
    enum Role { RawRole = Qt::UserRole + 1, TypeRole, RoomRole };

    struct Frame
    {
        QDateTime time; // UTC
        Direction direction;
        QString transport; // "tcp", "tls", "ws", "wss"
        QByteArray raw;    // the bytes as they went over the wire
        QString type;      // "say", "message", ... ("" if not JSON)
        QString room;      // the frame's "room", if it has one
    };

    static constexpr int DefaultCapacity = 2000;

    explicit FrameLog(int capacity = DefaultCapacity, QObject *parent = nullptr);

    void record(Direction direction, const QString &transport, const QByteArray &raw);
    // Puts what was recorded since the last batch into the model now.
    void flush();
    void clear();

    // Paused: frames are counted, not kept.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    qint64 missedWhilePaused() const { return m_missed; }
    // Frames recorded since the last clear (including those no longer kept).
    qint64 totalRecorded() const { return m_total; }
    int capacity() const { return m_capacity; }

    const Frame &frame(int row) const { return m_frames.at(size_t(row)); }
    // Every type and room seen so far, sorted: what the filters offer.
    QStringList types() const { return m_types; }
    QStringList rooms() const { return m_rooms; }

    // One JSON object a line: {"time","direction","transport","size","frame"}
    // with the frame as JSON (or as a string, if it was not JSON).
    static QByteArray toJsonLine(const Frame &frame);
    // The frame's JSON indented, for reading.
    static QString pretty(const Frame &frame);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void filtersChanged(); // a new type or room was seen
    void countsChanged();  // total, missed or paused changed

private:
    void remember(QStringList &list, const QString &value);

    const int m_capacity;
    std::deque<Frame> m_frames;
    QList<Frame> m_pending;
    QTimer m_batch;
    QStringList m_types;
    QStringList m_rooms;
    qint64 m_total = 0;
    qint64 m_missed = 0;
    bool m_paused = false;
};

// The inspector's filters: a type and a room (empty: any).
class FrameFilter final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setType(const QString &type);
    void setRoom(const QString &room);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_type;
    QString m_room;
};
