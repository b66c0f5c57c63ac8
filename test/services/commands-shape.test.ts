// DESIGN.md: commands parse flags, call one service, render — so a command file defines no function of its
// own (orchestration lives in src/services/, views in src/render/). Only the spec's run() method is allowed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/commands');

/** Every function-like node in a source file except a class method named run, as "kind name line". */
function functionDefinitions(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && !ts.isCallSignatureDeclaration(node) && !ts.isFunctionTypeNode(node) && !ts.isMethodSignature(node) && !ts.isConstructorTypeNode(node)) {
      const name = 'name' in node && node.name && ts.isIdentifier(node.name as ts.Node) ? (node.name as ts.Identifier).text : '(anonymous)';
      const isRun = ts.isMethodDeclaration(node) && name === 'run';
      if (!isRun) found.push(`${ts.SyntaxKind[node.kind]} ${name} line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('src/commands/*.ts', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('are found', () => {
    expect(files).toEqual(expect.arrayContaining(['collect.ts', 'decode.ts', 'doctor.ts', 'pod-veth.ts', 'repair.ts', 'show.ts', 'trace.ts', 'whohas.ts']));
  });

  it.each(files)('%s defines no function besides run()', (f) => {
    expect(functionDefinitions(join(dir, f))).toEqual([]);
  });

  it('the checker sees the definitions it must refuse', () => {
    // the same walker over a file written the old way (renderTrace, an arrow helper, confirm) finds all three
    const probe = join(import.meta.dirname, 'commands-shape.fixture.txt');
    expect(functionDefinitions(probe)).toEqual(['FunctionDeclaration hopRows line 3', 'ArrowFunction (anonymous) line 5', 'MethodDeclaration confirm line 8']);
  });
});
