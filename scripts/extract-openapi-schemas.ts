/**
 * Extracts the request and response schemas of the endpoints the action uses from GitHub's
 * published OpenAPI description into emulator/openapi-schemas.json, so that the emulator checks
 * request shapes against GitHub's own description instead of a guess.
 *
 *   npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
 *   npx tsx scripts/extract-openapi-schemas.ts package/generated/api.github.com.deref.json
 */
import { readFileSync, writeFileSync } from 'node:fs'

export const OPERATIONS = [
  'GET /repos/{owner}/{repo}/actions/secrets/public-key',
  'GET /repos/{owner}/{repo}/actions/secrets/{secret_name}',
  'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
  'DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
  'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
  'DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
  'GET /repos/{owner}/{repo}/issues',
  'POST /repos/{owner}/{repo}/issues',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/labels',
  'GET /repos/{owner}/{repo}/assignees/{assignee}'
]

type Schema = Record<string, unknown>

/** Keeps what a shape check needs (types, required fields, patterns, enums) two levels deep. */
function prune(schema: Schema | undefined, depth: number): Schema | undefined {
  if (!schema) return undefined
  const kept: Schema = {}
  for (const key of ['type', 'nullable', 'required', 'pattern', 'enum']) {
    if (schema[key] !== undefined && (depth < 3 || key === 'type' || key === 'nullable'))
      kept[key] = schema[key]
  }
  if (depth < 3 && schema.properties) {
    kept.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([name, value]) => [
        name,
        prune(value, depth + 1)
      ])
    )
  }
  if (depth < 3 && schema.items) kept.items = prune(schema.items as Schema, depth + 1)
  for (const key of ['oneOf', 'anyOf']) {
    if (Array.isArray(schema[key]))
      kept[key] = (schema[key] as Schema[]).map((option) => prune(option, depth))
  }
  return kept
}

function main(descriptionPath: string): void {
  const description = JSON.parse(readFileSync(descriptionPath, 'utf8')) as {
    info: { version: string }
    paths: Record<string, Record<string, Schema>>
  }
  const operations: Record<string, unknown> = {}
  for (const operation of OPERATIONS) {
    const [method, path] = operation.split(' ')
    const spec = description.paths[path]?.[method.toLowerCase()] as
      | {
          requestBody?: { content: Record<string, { schema: Schema }> }
          responses: Record<string, { content?: Record<string, { schema: Schema }> }>
        }
      | undefined
    if (!spec) throw new Error(`${operation} is not in the description`)
    const success = Object.keys(spec.responses).filter((status) => status.startsWith('2'))
    operations[operation] = {
      requestBody: prune(spec.requestBody?.content['application/json']?.schema, 0),
      successStatuses: success.map(Number),
      responseBody: prune(spec.responses[success[0]]?.content?.['application/json']?.schema, 0)
    }
  }
  const fixture = {
    source: `GitHub REST API OpenAPI description (api.github.com), version ${description.info.version}, via @octokit/openapi`,
    operations
  }
  writeFileSync(
    new URL('../emulator/openapi-schemas.json', import.meta.url),
    `${JSON.stringify(fixture, null, 1)}\n`
  )
}

main(process.argv[2] ?? 'package/generated/api.github.com.deref.json')
