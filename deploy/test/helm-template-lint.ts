// Static checks of Helm chart templates without Helm: action delimiters, block nesting,
// `.Values` paths, named templates, and the YAML left when the actions are taken out.

export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
}

export interface TemplateAction {
  /** Text between the delimiters, without trim markers and surrounding spaces. */
  text: string;
  offset: number;
}

/** The `{{ ... }}` actions of a template; unbalanced or nested delimiters are errors. */
export function templateActions(src: string, file: string): TemplateAction[] {
  const actions: TemplateAction[] = [];
  let pos = 0;
  for (;;) {
    const open = src.indexOf('{{', pos);
    const strayClose = src.indexOf('}}', pos);
    if (open < 0) {
      if (strayClose >= 0) throw new TemplateSyntaxError(`${file}: "}}" without "{{" at offset ${strayClose}`);
      return actions;
    }
    if (strayClose >= 0 && strayClose < open)
      throw new TemplateSyntaxError(`${file}: "}}" without "{{" at offset ${strayClose}`);
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`${file}: "{{" at offset ${open} is never closed`);
    const nested = src.indexOf('{{', open + 2);
    if (nested >= 0 && nested < close)
      throw new TemplateSyntaxError(`${file}: "{{" at offset ${open} is not closed before the next "{{"`);
    const text = src
      .slice(open + 2, close)
      .replace(/^-\s/, '')
      .replace(/\s-$/, '')
      .trim();
    actions.push({ text, offset: open });
    pos = close + 2;
  }
}

const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);

/** Problems in the nesting of `if/range/with/define/block ... end`; empty when sound. */
export function blockProblems(actions: TemplateAction[], file: string): string[] {
  const problems: string[] = [];
  const stack: TemplateAction[] = [];
  for (const a of actions) {
    if (a.text.startsWith('/*')) continue;
    const keyword = a.text.split(/\s+/)[0];
    if (OPENERS.has(keyword)) stack.push(a);
    else if (keyword === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !/^(if|range|with)\b/.test(top.text))
        problems.push(`${file}: "else" at offset ${a.offset} outside if/range/with`);
    } else if (keyword === 'end') {
      if (!stack.pop()) problems.push(`${file}: "end" at offset ${a.offset} closes nothing`);
    }
  }
  for (const open of stack) problems.push(`${file}: "${open.text}" at offset ${open.offset} has no "end"`);
  return problems;
}

/** Every `.Values.a.b.c` path used in the actions (also as `$.Values...`). */
export function valuesPaths(actions: TemplateAction[]): string[][] {
  const paths: string[][] = [];
  for (const a of actions) {
    for (const m of a.text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) paths.push(m[1].slice(1).split('.'));
  }
  return paths;
}

export function hasValuesPath(values: unknown, path: string[]): boolean {
  let node = values;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

function quotedNames(actions: TemplateAction[], keyword: RegExp): string[] {
  const names: string[] = [];
  for (const a of actions) for (const m of a.text.matchAll(keyword)) names.push(m[1]);
  return names;
}

export function definedTemplates(actions: TemplateAction[]): string[] {
  return quotedNames(actions, /^define\s+"([^"]+)"/g);
}

export function includedTemplates(actions: TemplateAction[]): string[] {
  return quotedNames(actions, /\b(?:include|template)\s+"([^"]+)"/g);
}

/**
 * The template with its actions taken out: lines holding only actions are dropped (they
 * are control flow or `toYaml | nindent` output) and inline actions become `x`. Both
 * branches of every `if` are kept, so the static YAML around the actions must parse.
 */
export function templateSkeleton(src: string): string {
  return src
    .split('\n')
    .filter((line) => line.replace(/\{\{.*?\}\}/g, '').trim() !== '' || line.trim() === '')
    .map((line) => line.replace(/\{\{.*?\}\}/g, 'x'))
    .join('\n');
}
