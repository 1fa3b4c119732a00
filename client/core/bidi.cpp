#include "bidi.h"

namespace Bidi {

namespace {

constexpr char16_t FirstStrongIsolate = 0x2068;
constexpr char16_t PopDirectionalIsolate = 0x2069;

bool isEmbeddingOrOverride(char16_t c)
{
    return c >= 0x202A && c <= 0x202E;
}

bool isIsolateInitiator(char16_t c)
{
    return c >= 0x2066 && c <= 0x2068;
}

} // namespace

bool hasExplicitFormatting(QStringView text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (isEmbeddingOrOverride(u) || isIsolateInitiator(u) || u == PopDirectionalIsolate)
            return true;
    }
    return false;
}

QString isolate(const QString &text)
{
    if (!hasExplicitFormatting(text))
        return text;
    QString fenced;
    fenced.reserve(text.size() + 2);
    fenced += QChar(FirstStrongIsolate);
    int openIsolates = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (isIsolateInitiator(u)) {
            ++openIsolates;
        } else if (u == PopDirectionalIsolate) {
            if (openIsolates == 0)
                continue; // would close our fence
            --openIsolates;
        }
        fenced += c;
    }
    // Our PDI closes every isolate, embedding and override still open inside
    // (UAX #9, rule X6a), once its own isolates are closed.
    for (; openIsolates > 0; --openIsolates)
        fenced += QChar(PopDirectionalIsolate);
    fenced += QChar(PopDirectionalIsolate);
    return fenced;
}

} // namespace Bidi
