// `thanos.Label` on the wire, shared by the hand-written codecs.
import type { Label } from '../types';
import type { ProtoReader } from './proto-reader';
import { lenFieldSize, ProtoWriter, WIRE_LEN } from './proto-writer';

export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

/** Body size of a Label whose name and value are `nameLen` / `valueLen` UTF-8 bytes. */
export function labelBodySize(nameLen: number, valueLen: number): number {
  return (nameLen > 0 ? lenFieldSize(nameLen) : 0) + (valueLen > 0 ? lenFieldSize(valueLen) : 0);
}

/** Writes a length-prefixed Label body (the caller wrote the field tag). */
export function writeLabelBody(w: ProtoWriter, l: Label, nameLen: number, valueLen: number): void {
  w.uint32(labelBodySize(nameLen, valueLen));
  if (nameLen > 0) {
    w.tag(1, WIRE_LEN);
    w.string(l.name, nameLen);
  }
  if (valueLen > 0) {
    w.tag(2, WIRE_LEN);
    w.string(l.value, valueLen);
  }
}

/** Size of `labels` as repeated field 1 of the enclosing message. */
export function labelsFieldSize(labels: Label[]): number {
  let size = 0;
  for (const l of labels) size += lenFieldSize(labelBodySize(utf8Length(l.name), utf8Length(l.value)));
  return size;
}

/** Writes `labels` as repeated field 1. */
export function writeLabelsField(w: ProtoWriter, labels: Label[]): void {
  for (const l of labels) {
    w.tag(1, WIRE_LEN);
    writeLabelBody(w, l, utf8Length(l.name), utf8Length(l.value));
  }
}

/** Reads a length-delimited Label at the reader's position. */
export function readLabel(r: ProtoReader): Label {
  const outer = r.enter();
  const l: Label = { name: '', value: '' };
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) l.name = r.string();
    else if (tag === ((2 << 3) | WIRE_LEN)) l.value = r.string();
    else r.skip(tag & 7);
  }
  r.leave(outer);
  return l;
}
