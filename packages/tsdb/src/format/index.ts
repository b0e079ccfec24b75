export { formatGoFloat, formatPromApiFloat, formatPromApiTimestamp } from './go-float';
