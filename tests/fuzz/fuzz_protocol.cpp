// Arbitrary bytes through the TCP framer and the decoder, both ways. Besides
// "no crash, no sanitizer report", it checks one property: whatever decodes
// encodes to a frame that decodes to the same message again.

#include "codec.h"
#include "fuzzcheck.h"
#include "lineframer.h"

#include <cstdint>

using namespace Confab::Protocol;

namespace {

void roundTrip(const QByteArray &frame, Sender from)
{
    const auto decoded = decode(frame, from);
    const auto *envelope = std::get_if<Envelope>(&decoded);
    if (!envelope) {
        const auto &error = std::get<DecodeError>(decoded);
        check(!error.reason.isEmpty(), "every error has a reason");
        return;
    }
    const QByteArray again = encode(envelope->message, envelope->id);
    check(!again.contains('\n'), "an encoded frame is one line");
    const auto redecoded = decode(again, from);
    const auto *second = std::get_if<Envelope>(&redecoded);
    check(second != nullptr, "an encoded message decodes");
    check(second->message == envelope->message, "a message survives encode and decode");
    check(second->id == envelope->id, "an id survives encode and decode");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    // The first byte chooses how the stream is cut into reads, so the fuzzer
    // also explores lines that span chunks.
    const size_t chunk = size_t(data[0] % 32) + 1;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    LineFramer framer(4096);
    QByteArray frame;
    for (qsizetype offset = 0; offset < bytes.size(); offset += qsizetype(chunk)) {
        framer.append(bytes.sliced(offset, qMin(qsizetype(chunk), bytes.size() - offset)));
        LineFramer::Status status;
        while ((status = framer.next(&frame)) == LineFramer::Status::Frame) {
            check(frame.size() <= framer.maxFrameBytes(), "a frame is within the limit");
            check(!frame.contains('\n'), "a frame holds no line break");
            roundTrip(frame, Sender::Client);
            roundTrip(frame, Sender::Server);
        }
        check(framer.pendingBytes() <= framer.maxFrameBytes() + 1, "the framer buffers at most the limit");
        if (status == LineFramer::Status::TooLarge)
            break;
    }
    // A WebSocket message is a whole frame with no line framing.
    roundTrip(bytes.toByteArray(), Sender::Client);
    return 0;
}
