// Arbitrary bytes through the server's WebSocket framer, cut into reads of
// varying size. Besides "no crash, no sanitizer report", it checks what the
// connection relies on: messages within the limit, text that is valid UTF-8,
// a bounded buffer, and a framer that stays stopped once it has stopped.

#include "fuzzcheck.h"
#include "websocketframer.h"

#include <QString>

#include <cstdint>

namespace {

constexpr qsizetype MaxMessage = 4096;
// An unfinished frame (header and payload) besides a message being put together.
constexpr qsizetype MaxPending = MaxMessage + 14 + 125;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = size_t(data[0] % 32) + 1;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    WebSocketFramer framer(MaxMessage);
    QByteArray payload;
    WebSocketFramer::Status status = WebSocketFramer::Status::NeedMore;
    for (qsizetype offset = 0; offset < bytes.size(); offset += qsizetype(chunk)) {
        framer.append(bytes.sliced(offset, qMin(qsizetype(chunk), bytes.size() - offset)));
        while ((status = framer.next(&payload)) != WebSocketFramer::Status::NeedMore) {
            if (status == WebSocketFramer::Status::Text) {
                check(payload.size() <= MaxMessage, "a message is within the limit");
                check(QString::fromUtf8(payload).toUtf8() == payload, "text is valid UTF-8");
            } else if (status == WebSocketFramer::Status::Binary) {
                check(payload.size() <= MaxMessage, "a message is within the limit");
            } else if (status == WebSocketFramer::Status::Ping) {
                check(payload.size() <= 125, "a ping is at most 125 bytes");
            } else {
                break;
            }
        }
        check(framer.pendingBytes() <= MaxPending, "the framer buffers a bounded amount");
        if (status != WebSocketFramer::Status::NeedMore) {
            // Close, TooLarge or Failed: the end, whatever follows.
            framer.append(bytes);
            check(framer.next(&payload) == status, "a stopped framer stays stopped");
            check(framer.pendingBytes() == 0, "a stopped framer keeps nothing");
            if (status != WebSocketFramer::Status::TooLarge) {
                const quint16 code = framer.closeCode();
                check(code >= 1000 && code < 5000, "a close code is in range");
            }
            break;
        }
    }
    return 0;
}
