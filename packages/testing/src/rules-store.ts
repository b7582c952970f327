import { RULES, type Rule } from './sample-data.js'

/** Rules are per tenant: what one client creates, another does not see. */
export class RulesStore {
  readonly #byClient = new Map<string, Map<number, Rule>>()
  #nextId = Math.max(...RULES.map((rule) => rule.id)) + 1

  list(clientId: string): Rule[] {
    return [...this.#rulesOf(clientId).values()]
  }

  get(clientId: string, id: number): Rule | undefined {
    return this.#rulesOf(clientId).get(id)
  }

  create(clientId: string, fields: Omit<Rule, 'id'>): Rule {
    const rule = { id: this.#nextId++, ...fields }

    this.#rulesOf(clientId).set(rule.id, rule)

    return rule
  }

  replace(clientId: string, rule: Rule): void {
    this.#rulesOf(clientId).set(rule.id, rule)
  }

  delete(clientId: string, id: number): boolean {
    return this.#rulesOf(clientId).delete(id)
  }

  /** Back to the sample rules for every tenant. */
  reset(): void {
    this.#byClient.clear()
    this.#nextId = Math.max(...RULES.map((rule) => rule.id)) + 1
  }

  #rulesOf(clientId: string): Map<number, Rule> {
    let rules = this.#byClient.get(clientId)

    if (rules === undefined) {
      rules = new Map(RULES.map((rule) => [rule.id, { ...rule }]))
      this.#byClient.set(clientId, rules)
    }

    return rules
  }
}
