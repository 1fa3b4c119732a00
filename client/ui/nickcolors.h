#pragma once

#include <QColor>
#include <QString>

// A colour for each nick that stays the same across sessions, machines and
// clients (a hash of the folded nick, the same as the browser client's),
// readable on a light or a dark background.
QColor nickColor(const QString &nick, bool darkBackground);
// Its hue, 0 to 359.
int nickHue(const QString &nick);
