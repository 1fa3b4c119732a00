#pragma once

#include <QString>

// Text from other people, made safe to show next to the client's own words.
// An explicit direction override or embedding (U+202A–U+202E) or isolate
// (U+2066–U+2069) in someone's message would otherwise reach past the
// message and reorder what follows it on the line: "abc U+202E txt.exe"
// shows as "abc exe.txt". The protocol allows these characters (they have
// honest uses in mixed Arabic/Hebrew and Latin text), so the client does not
// drop them; it fences them in.
namespace Bidi {

// Whether `text` holds any explicit bidi formatting character.
bool hasExplicitFormatting(QStringView text);

// `text` as a first-strong isolate (U+2068 … U+2069): whatever overrides and
// embeddings it opens end at its end. Pop-directional-isolates that close
// nothing inside the text are removed, so that the text cannot close the
// fence early. Text without explicit formatting comes back unchanged.
QString isolate(const QString &text);

} // namespace Bidi
