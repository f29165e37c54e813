// GOV.UK Frontend styles its JavaScript-enhanced components only when this class is present.
if ('noModule' in HTMLScriptElement.prototype) document.body.className += ' govuk-frontend-supported'
