#pragma once

#include <QColor>
#include <QString>

// A colour for each nick that stays the same across sessions and machines
// (a hash of the folded nick), readable on a light or a dark background.
QColor nickColor(const QString &nick, bool darkBackground);
