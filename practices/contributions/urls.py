from django.urls import path

from practices.contributions import views

app_name = "contributions"

urlpatterns = [
    path("account/sign-up/", views.sign_up, name="sign-up"),
    path("account/confirm/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    path("account/sign-in/", views.SignInView.as_view(), name="login"),
    path("account/sign-out/", views.sign_out, name="logout"),
    path("contribute/", views.submit, name="submit"),
    path("contribute/mine/", views.mine, name="mine"),
    path("contribute/<int:pk>/edit/", views.edit, name="edit"),
    path("contribute/<int:pk>/reply/", views.reply, name="reply"),
    path("contribute/<int:pk>/document.pdf", views.download, name="download"),
]
