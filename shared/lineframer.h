#pragma once

#include "defaults.h"

#include <QByteArray>
#include <QByteArrayView>

#include <QList>

namespace Confab::Protocol {

// Splits the TCP byte stream into frames: one frame per line ended by "\n"
// ("\r\n" accepted). Blank lines are skipped. A line longer than the frame
// limit is reported as soon as it is known to be too long, and at most
// limit + 1 bytes of an unfinished line are ever kept.
//
// The framer only cuts lines; whether a frame is UTF-8 or JSON is the
// decoder's business.
class LineFramer final
{
public:
    enum class Status {
        Frame,     // *frame holds the next frame
        NeedMore,  // no complete frame yet
        TooLarge,  // a line passed the limit; the stream cannot be resynchronised
    };

    explicit LineFramer(qsizetype maxFrameBytes = Defaults::MaxFrameBytes);

    void append(QByteArrayView bytes);
    Status next(QByteArray *frame);

    qsizetype maxFrameBytes() const { return m_maxFrameBytes; }
    // Bytes of the current unfinished line.
    qsizetype pendingBytes() const { return m_partial.size(); }
    bool hasFailed() const { return m_tooLarge; }

private:
    void completeLine(QByteArrayView tail);

    qsizetype m_maxFrameBytes;
    QByteArray m_partial;
    // Complete frames not yet taken; allocates nothing while empty.
    QList<QByteArray> m_frames;
    qsizetype m_nextFrame = 0;
    bool m_tooLarge = false;
};

} // namespace Confab::Protocol
