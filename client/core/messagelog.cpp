#include "messagelog.h"

#include <QDateTime>

MessageLog::MessageLog(QObject *parent)
    : QAbstractListModel(parent)
{
}

int MessageLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant MessageLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const LogEntry &entry = m_entries.at(index.row());
    if (role != Qt::DisplayRole)
        return {};
    return entry.kind == LogEntry::Kind::Message ? QStringLiteral("<%1> %2").arg(entry.from, entry.text) : entry.text;
}

void MessageLog::append(const LogEntry &entry)
{
    beginInsertRows({}, int(m_entries.size()), int(m_entries.size()));
    m_entries.append(entry);
    endInsertRows();
}

void MessageLog::prepend(const QList<LogEntry> &entries)
{
    if (entries.isEmpty())
        return;
    beginInsertRows({}, 0, int(entries.size()) - 1);
    m_entries = entries + m_entries;
    endInsertRows();
}

int MessageLog::rowOfSeq(qint64 seq) const
{
    if (seq <= 0)
        return -1;
    // Changes are mostly to recent messages: look from the end.
    for (qsizetype row = m_entries.size() - 1; row >= 0; --row) {
        if (m_entries.at(row).seq == seq)
            return int(row);
    }
    return -1;
}

bool MessageLog::update(const LogEntry &entry)
{
    const int row = rowOfSeq(entry.seq);
    if (row < 0)
        return false;
    // What the user's client decided about the entry stays (whether it
    // mentioned them when it came).
    LogEntry &shown = m_entries[row];
    const bool mention = shown.mention && !entry.deleted;
    shown = entry;
    shown.mention = mention;
    emit dataChanged(index(row), index(row));
    return true;
}

qint64 MessageLog::firstSeq() const
{
    for (const LogEntry &entry : m_entries) {
        if (entry.seq > 0)
            return entry.seq;
    }
    return 0;
}
