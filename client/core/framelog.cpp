#include "framelog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace {

constexpr int BatchMs = 50;

QString directionName(FrameLog::Direction direction)
{
    return direction == FrameLog::Direction::Sent ? QStringLiteral("sent") : QStringLiteral("received");
}

} // namespace

FrameLog::FrameLog(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
    m_batch.setSingleShot(true);
    m_batch.setInterval(BatchMs);
    connect(&m_batch, &QTimer::timeout, this, &FrameLog::flush);
}

void FrameLog::record(Direction direction, const QString &transport, const QByteArray &raw)
{
    ++m_total;
    if (m_paused) {
        ++m_missed;
        emit countsChanged();
        return;
    }
    Frame frame{QDateTime::currentDateTimeUtc(), direction, transport, raw, {}, {}};
    const QJsonObject object = QJsonDocument::fromJson(raw).object();
    frame.type = object.value(QLatin1String("type")).toString();
    frame.room = object.value(QLatin1String("room")).toString();
    m_pending.append(std::move(frame));
    // A burst bigger than what is kept: only its end will be shown.
    if (m_pending.size() > m_capacity)
        m_pending.remove(0, m_pending.size() - m_capacity);
    if (!m_batch.isActive())
        m_batch.start();
}

void FrameLog::flush()
{
    m_batch.stop();
    if (m_pending.isEmpty())
        return;
    const QList<Frame> batch = std::exchange(m_pending, {});
    const qsizetype overflow = qsizetype(m_frames.size()) + batch.size() - m_capacity;
    if (overflow > 0) {
        const int removed = int(qMin<qsizetype>(overflow, qsizetype(m_frames.size())));
        beginRemoveRows({}, 0, removed - 1);
        m_frames.erase(m_frames.begin(), m_frames.begin() + removed);
        endRemoveRows();
    }
    const int first = int(m_frames.size());
    beginInsertRows({}, first, first + int(batch.size()) - 1);
    bool newFilters = false;
    for (const Frame &frame : batch) {
        const qsizetype types = m_types.size();
        const qsizetype rooms = m_rooms.size();
        remember(m_types, frame.type);
        remember(m_rooms, frame.room);
        newFilters = newFilters || types != m_types.size() || rooms != m_rooms.size();
        m_frames.push_back(frame);
    }
    endInsertRows();
    if (newFilters)
        emit filtersChanged();
    emit countsChanged();
}

void FrameLog::clear()
{
    beginResetModel();
    m_frames.clear();
    m_pending.clear();
    endResetModel();
    m_total = 0;
    m_missed = 0;
    emit countsChanged();
}

void FrameLog::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    flush();
    m_paused = paused;
    if (!paused)
        m_missed = 0;
    emit countsChanged();
}

void FrameLog::remember(QStringList &list, const QString &value)
{
    if (value.isEmpty())
        return;
    const auto at = std::lower_bound(list.begin(), list.end(), value);
    if (at == list.end() || *at != value)
        list.insert(at, value);
}

QByteArray FrameLog::toJsonLine(const Frame &frame)
{
    QByteArray body = frame.raw;
    if (body.endsWith('\n'))
        body.chop(1);
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(body, &error);
    QJsonObject line{{QStringLiteral("time"), frame.time.toString(Qt::ISODateWithMs)},
                     {QStringLiteral("direction"), directionName(frame.direction)},
                     {QStringLiteral("transport"), frame.transport},
                     {QStringLiteral("size"), frame.raw.size()}};
    if (error.error == QJsonParseError::NoError && !parsed.isNull())
        line.insert(QStringLiteral("frame"), parsed.isObject() ? QJsonValue(parsed.object()) : QJsonValue(parsed.array()));
    else
        line.insert(QStringLiteral("frame"), QString::fromUtf8(body));
    return QJsonDocument(line).toJson(QJsonDocument::Compact);
}

QString FrameLog::pretty(const Frame &frame)
{
    // Indented by hand rather than through QJsonDocument, which would sort
    // the keys: the reader sees the fields in the order they were sent.
    QByteArray body = frame.raw.trimmed();
    if (QJsonDocument::fromJson(body).isNull())
        return QString::fromUtf8(frame.raw);
    QByteArray out;
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    const auto newline = [&out, &depth] { out += '\n' + QByteArray(depth * 4, ' '); };
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body.at(i);
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[':
            out += c;
            if (i + 1 < body.size() && (body.at(i + 1) == '}' || body.at(i + 1) == ']')) {
                out += body.at(++i); // {} and [] stay on one line
                break;
            }
            ++depth;
            newline();
            break;
        case '}':
        case ']':
            --depth;
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += ": ";
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            break;
        default:
            out += c;
        }
    }
    return QString::fromUtf8(out);
}

int FrameLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_frames.size());
}

int FrameLog::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FrameLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_frames.size()))
        return {};
    const Frame &frame = m_frames[size_t(index.row())];
    switch (role) {
    case RawRole:
        return frame.raw;
    case TypeRole:
        return frame.type;
    case RoomRole:
        return frame.room;
    case Qt::ToolTipRole:
        if (index.column() == DirectionColumn)
            return frame.direction == Direction::Sent ? tr("Sent to the server") : tr("Received from the server");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TimeColumn:
        return frame.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case DirectionColumn:
        return frame.direction == Direction::Sent ? QStringLiteral("→") : QStringLiteral("←");
    case TransportColumn:
        return frame.transport;
    case SizeColumn:
        return QLocale().toString(frame.raw.size());
    case TypeColumn:
        return frame.type;
    case RoomColumn:
        return frame.room;
    case FrameColumn: {
        QByteArray text = frame.raw;
        if (text.endsWith('\n'))
            text.chop(1);
        return QString::fromUtf8(text.left(300));
    }
    default:
        return {};
    }
}

QVariant FrameLog::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case DirectionColumn:
        return tr("Way");
    case TransportColumn:
        return tr("Over");
    case SizeColumn:
        return tr("Bytes");
    case TypeColumn:
        return tr("Type");
    case RoomColumn:
        return tr("Room");
    case FrameColumn:
        return tr("Frame");
    default:
        return {};
    }
}

void FrameFilter::setType(const QString &type)
{
    m_type = type;
    invalidateFilter();
}

void FrameFilter::setRoom(const QString &room)
{
    m_room = room;
    invalidateFilter();
}

bool FrameFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_type.isEmpty() && index.data(FrameLog::TypeRole).toString() != m_type)
        return false;
    if (!m_room.isEmpty() && index.data(FrameLog::RoomRole).toString().compare(m_room, Qt::CaseInsensitive) != 0)
        return false;
    return true;
}
