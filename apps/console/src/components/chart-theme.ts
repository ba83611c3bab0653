// Colours for charts: the Okabe-Ito palette (told apart with the common colour-vision deficiencies),
// its orange and sky blue darkened to a gold and a violet so that every stack is 3:1 or more against
// white; "Other" is a neutral grey. Colour never carries meaning alone: every chart has a legend and
// a table of its figures.
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8C6200', '#5B4B8A'] as const;
export const OTHER_COLOUR = '#6B7280';

export function seriesColour(id: string, index: number): string {
  return id === 'other' ? OTHER_COLOUR : SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}

export const AXIS_TICK = { fill: '#374151', fontSize: 12 };
