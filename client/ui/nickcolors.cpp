#include "nickcolors.h"

#include "names.h"

int nickHue(const QString &nick)
{
    // FNV-1a over the code points of the folded nick: the browser client's
    // view.js computes the same, so a nick has one colour everywhere.
    quint32 hash = 2166136261u;
    for (const char32_t c : Confab::Protocol::nameKey(nick).toUcs4()) {
        hash ^= quint32(c);
        hash *= 16777619u;
    }
    return int(hash % 360);
}

QColor nickColor(const QString &nick, bool darkBackground)
{
    return QColor::fromHslF(float(nickHue(nick)) / 360.0f, 0.65f, darkBackground ? 0.68f : 0.36f);
}
