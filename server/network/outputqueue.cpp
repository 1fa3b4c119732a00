#include "outputqueue.h"

void OutputQueue::appendShared(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_pieces.append(bytes);
    m_bytes += bytes.size();
    m_lastIsOwn = false;
}

void OutputQueue::append(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_lastIsOwn)
        m_pieces.last().append(bytes);
    else
        m_pieces.append(bytes.toByteArray());
    m_bytes += bytes.size();
    m_lastIsOwn = true;
}

int OutputQueue::gather(iovec *vectors, int max) const
{
    int filled = 0;
    for (qsizetype i = 0; i < m_pieces.size() && filled < max; ++i) {
        const QByteArray &piece = m_pieces.at(i);
        const qsizetype skip = i == 0 ? m_sentOfFirst : 0;
        vectors[filled].iov_base = const_cast<char *>(piece.constData() + skip);
        vectors[filled].iov_len = size_t(piece.size() - skip);
        ++filled;
    }
    return filled;
}

void OutputQueue::consume(qint64 bytes)
{
    if (bytes >= m_bytes) {
        clear();
        return;
    }
    m_bytes -= bytes;
    qsizetype done = 0;
    while (bytes > 0) {
        const qsizetype left = m_pieces.at(done).size() - m_sentOfFirst;
        if (bytes < left) {
            m_sentOfFirst += bytes;
            break;
        }
        bytes -= left;
        m_sentOfFirst = 0;
        ++done;
    }
    m_pieces.remove(0, done);
}

QByteArray OutputQueue::takeAll()
{
    QByteArray all;
    if (m_pieces.size() == 1 && m_sentOfFirst == 0) {
        all = m_pieces.first();
    } else {
        all.reserve(m_bytes);
        for (qsizetype i = 0; i < m_pieces.size(); ++i)
            all.append(QByteArrayView(m_pieces.at(i)).sliced(i == 0 ? m_sentOfFirst : 0));
    }
    clear();
    return all;
}

void OutputQueue::clear()
{
    // Assigned, not cleared: the list's own storage goes too.
    m_pieces = QList<QByteArray>();
    m_sentOfFirst = 0;
    m_bytes = 0;
    m_lastIsOwn = false;
}
