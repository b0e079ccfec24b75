export {
  METRIC_NAME,
  compareStrings,
  compareLabels,
  sortLabels,
  labelsFromRecord,
  getLabel,
  labelsEqual,
  goQuote,
  labelsToString,
} from './labels';
export type { Label, Labels } from './labels';
export { Matcher, MatchType, newMatcher, RegexSyntaxError } from './matcher';
