// Idle timeout: warn two minutes before the session lapses, and never lose a half-written
// form. A form's fields are kept in this tab's sessionStorage when the session lapses (or
// is found lapsed on submit), and put back after the user signs in again on the same page.
// Drafts are keyed by user, so nobody else signing in at this browser sees them.

const body = document.body
const idleSeconds = Number(body.dataset.idleSeconds || 0)
const user = body.dataset.user
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || ''
const WARN_BEFORE = 120

function draftKey () {
  return `jigsaw-draft:${user}:${location.pathname}`
}

function keptFields (form) {
  return [...form.elements].filter(el =>
    el.name && !['password', 'hidden', 'submit', 'button', 'file'].includes(el.type))
}

function postForms () {
  return [...document.querySelectorAll('main form[method="post"]')]
}

function saveDraft () {
  const forms = postForms()
  if (!forms.length) return
  const drafts = forms.map(form => {
    const values = {}
    for (const el of keptFields(form)) {
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) values[`${el.name}=${el.value}`] = true
      } else {
        values[el.name] = el.value
      }
    }
    return values
  })
  sessionStorage.setItem(draftKey(), JSON.stringify(drafts))
}

function restoreDraft () {
  const saved = sessionStorage.getItem(draftKey())
  if (!saved) return
  sessionStorage.removeItem(draftKey())
  const drafts = JSON.parse(saved)
  postForms().forEach((form, i) => {
    const values = drafts[i] || {}
    for (const el of keptFields(form)) {
      if (el.type === 'radio' || el.type === 'checkbox') {
        el.checked = Boolean(values[`${el.name}=${el.value}`])
      } else if (el.name in values) {
        el.value = values[el.name]
      }
    }
  })
  const main = document.querySelector('main')
  const notice = document.createElement('div')
  notice.className = 'govuk-inset-text'
  notice.id = 'jigsaw-draft-restored'
  notice.textContent = 'You were signed out. We kept what you had typed: check it, then save.'
  main.prepend(notice)
}

function signInAgain () {
  saveDraft()
  location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`)
}

async function signedIn () {
  try {
    const response = await fetch('/session/status', { credentials: 'same-origin' })
    return (await response.json()).signed_in
  } catch {
    return true // offline or server trouble: let the normal submit say what is wrong
  }
}

function guardSubmits () {
  for (const form of postForms()) {
    form.addEventListener('submit', async event => {
      if (form.dataset.checked === 'yes') return
      event.preventDefault()
      if (await signedIn()) {
        sessionStorage.removeItem(draftKey())
        form.dataset.checked = 'yes'
        form.requestSubmit(event.submitter || undefined)
      } else {
        signInAgain()
      }
    })
  }
}

let warnTimer, endTimer

function warningMinutes () {
  const minutes = Math.max(1, Math.round(Math.min(WARN_BEFORE, idleSeconds) / 60))
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

function showWarning () {
  let dialog = document.getElementById('jigsaw-timeout')
  if (!dialog) {
    dialog = document.createElement('div')
    dialog.id = 'jigsaw-timeout'
    dialog.className = 'jigsaw-timeout'
    dialog.setAttribute('role', 'alertdialog')
    dialog.setAttribute('aria-modal', 'true')
    dialog.setAttribute('aria-labelledby', 'jigsaw-timeout-title')
    dialog.innerHTML =
      `<h2 class="govuk-heading-m" id="jigsaw-timeout-title" tabindex="-1">You will be signed out in ${warningMinutes()}</h2>` +
      '<p class="govuk-body">We will keep anything you have typed on this page.</p>' +
      '<div class="govuk-button-group">' +
      '<button type="button" class="govuk-button" id="jigsaw-stay">Stay signed in</button>' +
      '<button type="button" class="govuk-button govuk-button--secondary" id="jigsaw-leave">Sign out now</button></div>'
    body.append(dialog)
    dialog.querySelector('#jigsaw-stay').addEventListener('click', stay)
    dialog.querySelector('#jigsaw-leave').addEventListener('click', signInAgain)
  }
  dialog.hidden = false
  dialog.querySelector('h2').focus()
}

async function stay () {
  await fetch('/session/keep-alive', {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': csrf }
  })
  document.getElementById('jigsaw-timeout').hidden = true
  startTimers()
}

function startTimers () {
  clearTimeout(warnTimer)
  clearTimeout(endTimer)
  warnTimer = setTimeout(showWarning, Math.max(idleSeconds - WARN_BEFORE, 0) * 1000)
  endTimer = setTimeout(signInAgain, idleSeconds * 1000)
}

if (user && idleSeconds > 0) {
  restoreDraft()
  guardSubmits()
  startTimers()
}
