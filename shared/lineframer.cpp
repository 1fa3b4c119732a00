#include "lineframer.h"

namespace Confab::Protocol {

namespace {

bool isBlank(QByteArrayView line)
{
    for (const char c : line) {
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

} // namespace

LineFramer::LineFramer(qsizetype maxFrameBytes)
    : m_maxFrameBytes(maxFrameBytes)
{
}

void LineFramer::append(QByteArrayView bytes)
{
    while (!m_tooLarge && !bytes.isEmpty()) {
        const qsizetype newline = bytes.indexOf('\n');
        if (newline < 0) {
            // One byte more than the limit may be a '\r' that the next chunk's
            // '\n' completes; anything beyond that can only be an oversize line.
            if (m_partial.size() + bytes.size() > m_maxFrameBytes + 1) {
                m_tooLarge = true;
                m_partial.clear();
                m_partial.squeeze();
                return;
            }
            m_partial.append(bytes);
            return;
        }
        completeLine(bytes.first(newline));
        bytes = bytes.sliced(newline + 1);
    }
}

void LineFramer::completeLine(QByteArrayView tail)
{
    qsizetype length = m_partial.size() + tail.size();
    const bool endsWithCr = !tail.isEmpty() ? tail.back() == '\r' : (!m_partial.isEmpty() && m_partial.back() == '\r');
    if (endsWithCr)
        --length;
    if (length > m_maxFrameBytes) {
        m_tooLarge = true;
        m_partial.clear();
        return;
    }

    QByteArray line;
    if (m_partial.isEmpty()) {
        line = tail.first(length).toByteArray();
    } else {
        line = std::move(m_partial);
        m_partial = QByteArray();
        line.append(tail);
        line.truncate(length);
    }
    if (!isBlank(line))
        m_frames.append(std::move(line));
}

LineFramer::Status LineFramer::next(QByteArray *frame)
{
    if (m_nextFrame < m_frames.size()) {
        *frame = std::move(m_frames[m_nextFrame++]);
        if (m_nextFrame == m_frames.size()) {
            m_frames = QList<QByteArray>();
            m_nextFrame = 0;
        }
        return Status::Frame;
    }
    return m_tooLarge ? Status::TooLarge : Status::NeedMore;
}

} // namespace Confab::Protocol
