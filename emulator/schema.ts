import { readFileSync } from 'node:fs'

/** The subset of JSON Schema that emulator/openapi-schemas.json keeps. */
export interface Schema {
  type?: string
  nullable?: boolean
  required?: string[]
  pattern?: string
  enum?: unknown[]
  properties?: Record<string, Schema>
  items?: Schema
  oneOf?: Schema[]
  anyOf?: Schema[]
}

export interface OperationSchemas {
  requestBody?: Schema
  successStatuses: number[]
  responseBody?: Schema
}

const fixture = JSON.parse(
  readFileSync(new URL('./openapi-schemas.json', import.meta.url), 'utf8')
) as {
  operations: Record<string, OperationSchemas>
}

/** GitHub's published schemas for one operation, by its Octokit route (`PUT /repos/...`). */
export function operationSchemas(route: string): OperationSchemas {
  const schemas = fixture.operations[route]
  if (!schemas)
    throw new Error(`No OpenAPI schemas for ${route}: add it to scripts/extract-openapi-schemas.ts`)
  return schemas
}

/** Where `value` breaks `schema`, as `path: problem` lines; empty when it fits. */
export function schemaProblems(schema: Schema | undefined, value: unknown, path = '$'): string[] {
  if (!schema) return []
  if (value === null) return schema.nullable || schema.type === 'null' ? [] : [`${path}: is null`]
  if (schema.oneOf || schema.anyOf) {
    const options = (schema.oneOf ?? schema.anyOf) as Schema[]
    return options.some((option) => schemaProblems(option, value, path).length === 0)
      ? []
      : [`${path}: matches none of ${options.length} options`]
  }
  if (schema.type && !hasType(schema.type, value))
    return [`${path}: expected ${schema.type}, got ${typeof value}`]
  const problems: string[] = []
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not allowed`)
  if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${path}: does not match ${schema.pattern}`)
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>
    for (const name of schema.required ?? [])
      if (!(name in record)) problems.push(`${path}.${name}: is required`)
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (record[name] !== undefined)
        problems.push(...schemaProblems(property, record[name], `${path}.${name}`))
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) =>
      problems.push(...schemaProblems(schema.items, item, `${path}[${index}]`))
    )
  }
  return problems
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value)
    case 'array':
      return Array.isArray(value)
    case 'object':
      return typeof value === 'object' && !Array.isArray(value)
    default:
      return typeof value === type
  }
}
