// The parsed Corefile: server blocks of directives, each token located in its file. It is the
// one representation that parsing produces, templating edits and rendering prints back.

import { CorefileError, type CorefileErrorCode } from './errors.ts';

export interface Token {
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

/**
 * One line of a block: a name, its arguments and an optional `{ }` sub-block of further lines.
 * Top-level lines are directives (`cache 30`); lines in a sub-block are options (`success 9984 30`).
 */
export interface Directive {
  readonly name: string;
  readonly args: readonly Token[];
  /** Lines inside `{ }`; undefined when the line had no block (an empty `{}` gives []). */
  readonly block: readonly Directive[] | undefined;
  readonly file: string;
  readonly line: number;
}

export interface ServerBlock {
  /** Keys as written: `cluster.local:53`, `.:53`, `dns://example.org`, `10.0.0.0/8`. */
  readonly keys: readonly Token[];
  readonly directives: readonly Directive[];
  readonly file: string;
  readonly line: number;
}

export interface Corefile {
  readonly blocks: readonly ServerBlock[];
}

/** Error helpers bound to one directive line, so every message carries file:line and the plugin. */
export class DirectiveReader {
  readonly directive: Directive;
  /** The plugin the message is attributed to (the top-level directive name). */
  readonly plugin: string;

  constructor(directive: Directive, plugin = directive.name) {
    this.directive = directive;
    this.plugin = plugin;
  }

  get args(): readonly string[] {
    return this.directive.args.map((t) => t.text);
  }

  /** Throws unless the argument count lies in [min, max]. */
  expectArgs(min: number, max = min): readonly string[] {
    const n = this.directive.args.length;
    if (n < min || n > max) {
      const want =
        min === max
          ? `${min}`
          : max === Number.POSITIVE_INFINITY
            ? `at least ${min}`
            : `${min} to ${max}`;
      throw this.error(
        'ERR_COREFILE_ARGS',
        `${this.directive.name}: wrong argument count (${n}, want ${want})`,
      );
    }
    return this.args;
  }

  /** Throws when the directive has a `{ }` block but takes none. */
  expectNoBlock(): void {
    if (this.directive.block !== undefined)
      throw this.error('ERR_COREFILE_SYNTAX', `${this.directive.name} takes no block`);
  }

  /** The sub-block lines as readers attributed to the same plugin. */
  options(): DirectiveReader[] {
    return (this.directive.block ?? []).map((d) => new DirectiveReader(d, this.plugin));
  }

  error(code: CorefileErrorCode, message: string, token?: Token): CorefileError {
    return new CorefileError(code, message, {
      file: token?.file ?? this.directive.file,
      line: token?.line ?? this.directive.line,
      directive: this.plugin,
    });
  }

  /** "unknown property" style error for a sub-block line. */
  unknownOption(): CorefileError {
    return this.error('ERR_COREFILE_SYNTAX', `unknown property '${this.directive.name}'`);
  }
}
